package io.mooring.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.mooring.api.AuditEntry;
import io.mooring.api.Command;
import io.mooring.api.Delivery;
import io.mooring.api.Device;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.Page;
import io.mooring.api.PlatformInfo;
import io.mooring.api.admin.AdminAccount;
import io.mooring.api.admin.ApiToken;
import io.mooring.api.admin.Tenant;

/** What the admin API sends: flat JSON shapes with ISO-8601 times, independent of the domain types' evolution. */
final class Views {
    private Views() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PageView<T>(List<T> items, long total, int offset, int limit) {
        static <S, T> PageView<T> of(Page<S> page, Function<S, T> view) {
            return new PageView<>(page.items().stream().map(view).toList(), page.total(), page.offset(), page.limit());
        }
    }

    record PushView(String provider, String topic, boolean valid) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeviceView(String id, String tenant, String platform, String state, String name, String model, String osVersion,
            String serialNumber, String hardwareId, String enrolledAt, String lastSeenAt, PushView push) {
        static DeviceView of(Device d) {
            return new DeviceView(d.id().toString(), d.tenant().value(), d.platform().value(), d.state().name(), d.description().name(),
                    d.description().model(), d.description().osVersion(), d.description().serialNumber(), d.description().hardwareId(),
                    time(d.enrolledAt()), time(d.lastSeenAt()), d.push() == null ? null : new PushView(d.push().provider(), d.push().topic(), d.push().valid()));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GroupView(String id, String name, String description, Map<String, String> settings, long members, String createdAt) {
        static GroupView of(io.mooring.api.DeviceGroup g) {
            return new GroupView(g.id().toString(), g.name(), g.description(), new java.util.TreeMap<>(g.settings()), g.members(), time(g.createdAt()));
        }
    }

    record PlatformView(String id, String displayName, String version, String bundle, String state, Set<String> capabilities,
            Set<String> commandTypes, List<String> devicePaths) {
        static PlatformView of(PlatformInfo p) {
            return new PlatformView(p.id().value(), p.displayName(), p.version(), p.bundle(), p.state().name(), p.capabilities(),
                    new TreeSet<>(p.commandTypes().stream().map(Object::toString).toList()), p.devicePaths());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CommandView(String id, String type, Map<String, Object> payload, String issuedBy, String createdAt, String expiresAt,
            long targets, Map<String, Long> deliveries) {
        static CommandView of(Command c) {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            c.deliveries().forEach((k, v) -> counts.put(k.name(), v));
            return new CommandView(c.id().toString(), c.type().name(), c.payload(), c.issuedBy().toString(), time(c.createdAt()),
                    time(c.expiresAt()), counts.values().stream().mapToLong(Long::longValue).sum(), counts);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeliveryView(String command, String type, String state, int attempts, String queuedAt, String sentAt, String completedAt,
            String result, Map<String, Object> data, String error) {
        static DeliveryView of(Delivery d) {
            return new DeliveryView(d.command().toString(), d.type().name(), d.state().name(), d.attempts(), time(d.queuedAt()), time(d.sentAt()),
                    time(d.completedAt()), d.result() == null ? null : d.result().outcome().name(), d.result() == null ? null : d.result().data(),
                    d.result() == null ? null : d.result().error());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InventoryView(String device, String reportedAt, String name, String model, String osVersion, String serialNumber, String hardwareId,
            Map<String, Object> facts) {
        static InventoryView of(String device, InventorySnapshot s) {
            return new InventoryView(device, time(s.reportedAt()), s.summary().name(), s.summary().model(), s.summary().osVersion(),
                    s.summary().serialNumber(), s.summary().hardwareId(), s.facts());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AuditView(long id, String at, String actor, String action, String target, String detail) {
        static AuditView of(AuditEntry a) {
            return new AuditView(a.id(), time(a.at()), a.actor().toString(), a.action(), a.target(), a.detail());
        }
    }

    record AccountView(String username, String tenant, String role, String createdAt, boolean enabled) {
        static AccountView of(AdminAccount a) {
            return new AccountView(a.username(), a.tenant().value(), a.role().name(), time(a.createdAt()), a.enabled());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TokenView(String id, String name, String role, String tenant, String createdAt, String expiresAt, String token) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id(), t.name(), t.role().name(), t.tenant().value(), time(t.createdAt()), time(t.expiresAt()), t.secret());
        }
    }

    record TenantView(String id, String name, String createdAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id().value(), t.name(), time(t.createdAt()));
        }
    }

    record CertificateView(String serial, String subject, String notBefore, String notAfter, String status, String issuedAt, String pem) {
        static CertificateView of(io.mooring.api.pki.IssuedCertificate c) {
            return new CertificateView(c.serial(), c.subject(), time(c.notBefore()), time(c.notAfter()), c.status().name(), time(c.issuedAt()), c.pem());
        }
    }

    record PushCertificateView(String topic, String subject, String notBefore, String notAfter, long daysLeft, String uploadedAt, String uploadedBy) {
        static PushCertificateView of(io.mooring.api.pki.PushCertificate c, Instant now) {
            return new PushCertificateView(c.topic(), c.subject(), time(c.notBefore()), time(c.notAfter()),
                    java.time.Duration.between(now, c.notAfter()).toDays(), time(c.uploadedAt()), c.uploadedBy());
        }
    }

    static String time(Instant i) {
        return i == null ? null : i.toString();
    }
}
