package io.mooring.pki.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.ScepChallenge;
import io.mooring.api.pki.ScepChallenges;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = ScepChallenges.class, configurationPid = "io.mooring.pki")
public final class ScepChallengesImpl implements ScepChallenges {
    static final Duration MAX_VALIDITY = Duration.ofDays(30);

    private final PkiStore store;
    private final String scepUrl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    @Activate
    public ScepChallengesImpl(@Reference PkiStore store, PkiConfig config) {
        this(store, config.scep_url(), Clock.systemUTC());
    }

    ScepChallengesImpl(PkiStore store, String scepUrl, Clock clock) {
        this.store = store;
        this.scepUrl = scepUrl;
        this.clock = clock;
    }

    static final String SUBJECT_BOUND = "subject:";

    @Override
    public ScepChallenge issueForSubject(TenantId tenant, String subject, Duration validFor) {
        try {
            new org.bouncycastle.asn1.x500.X500Name(subject);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("subject", "not a distinguished name: " + subject);
        }
        return issue(tenant, SUBJECT_BOUND + subject, validFor);
    }

    @Override
    public ScepChallenge issue(TenantId tenant, String purpose, Duration validFor) {
        if (validFor == null || validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_VALIDITY) > 0) {
            throw new ValidationException("validForSeconds", "a SCEP challenge is valid for at most 30 days");
        }
        if (purpose == null || purpose.isBlank() || purpose.length() > 100) {
            throw new ValidationException("purpose", "say what the challenge is for, in at most 100 characters");
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        // printable characters only: the challenge travels as a PrintableString/UTF8String in the CSR
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).replace('-', 'x').replace('_', 'y');
        Instant now = clock.instant();
        Instant expires = now.plus(validFor);
        store.createChallenge(tenant, ScepResponder.digest(secret), purpose.strip(), expires, now);
        return new ScepChallenge(secret, expires, scepUrl);
    }
}
