package io.mooring.rest.internal;

import java.util.List;
import java.util.Map;

/** What admins send. Unknown fields are refused (Jackson's default), so a typo is a 400, not a silent no-op. */
final class Requests {
    private Requests() {
    }

    record CommandRequestBody(String type, Map<String, Object> payload, List<String> devices, String platform, String group, String expiresAt) {
    }

    record GroupRequestBody(String name, String description, Map<String, String> settings) {
    }

    record MembersRequestBody(List<String> devices) {
    }

    record EnrollmentRequestBody(String platform, Long validForSeconds, Integer maxUses, String group) {
    }

    record TokenRequestBody(String name, String role, Integer validForDays) {
    }

    record AccountRequestBody(String username, String password, String role, String tenant) {
    }

    record TenantRequestBody(String id, String name) {
    }

    record ChallengeRequestBody(String purpose, Long validForSeconds) {
    }

    record PushCertificateRequestBody(String pkcs12, String pem, String password) {
    }
}
