package io.mooring.core.internal;

import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.mooring.api.ConflictException;
import io.mooring.api.TenantId;
import io.mooring.api.admin.Role;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh install has no account and no anonymous access: the first system admin comes from
 * {@code etc/io.mooring.admin.cfg}, or gets a generated password that is printed once.
 */
@Component(configurationPid = "io.mooring.admin", configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = InitialAdmin.Config.class)
public final class InitialAdmin {
    @ObjectClassDefinition(name = "Mooring first admin", description = "The account created when the database has none")
    @interface Config {
        @AttributeDefinition(description = "User name of the first system admin")
        String initial_username() default "admin";

        @AttributeDefinition(description = "Password of the first system admin (12 characters or more); empty generates one and prints it once",
                type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String initial_password() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(InitialAdmin.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-initial-admin");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public InitialAdmin(@Reference AccountServiceImpl accounts, Config config) {
        executor.execute(() -> ensure(accounts, config));
    }

    private static void ensure(AccountServiceImpl accounts, Config config) {
        try {
            if (accounts.countAccounts() > 0) {
                return;
            }
            boolean generated = config.initial_password().isEmpty();
            String password = generated ? generate() : config.initial_password();
            accounts.createAccount(config.initial_username(), password, TenantId.DEFAULT, Role.SYSTEM_ADMIN);
            if (generated) {
                String banner = "Mooring created the first admin account '" + config.initial_username() + "' with password: " + password
                        + "  (shown once; change it or set initial.password in etc/io.mooring.admin.cfg before the first start)";
                LOG.warn(banner);
                System.out.println(banner);
            } else {
                LOG.info("Created the first admin account '{}' from etc/io.mooring.admin.cfg", config.initial_username());
            }
        } catch (ConflictException anotherNodeWasFirst) {
            LOG.debug("First admin already created by another node");
        } catch (RuntimeException e) {
            LOG.error("Could not create the first admin account: {}", e.getMessage());
        }
    }

    private static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
