package io.mooring.platform.windows.internal;

import java.util.Map;

/** OMA-DM / SyncML status codes (OMA-TS-SyncML-RepPro-V1_2 §10) as an admin reads them in a command's error. */
final class StatusCodes {
    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("200", "OK"), Map.entry("202", "accepted for processing"), Map.entry("204", "no content"),
            Map.entry("212", "authentication accepted"), Map.entry("213", "chunked item accepted"), Map.entry("214", "operation cancelled"),
            Map.entry("215", "not executed"), Map.entry("216", "atomic roll back OK"),
            Map.entry("400", "bad request"), Map.entry("401", "invalid credentials"), Map.entry("403", "forbidden"),
            Map.entry("404", "not found: the PC has no such node"), Map.entry("405", "command not allowed on this node"),
            Map.entry("406", "optional feature not supported"), Map.entry("407", "missing credentials"), Map.entry("408", "request timeout"),
            Map.entry("412", "incomplete command"), Map.entry("413", "request entity too large"), Map.entry("415", "unsupported media type or format"),
            Map.entry("416", "requested size too big"), Map.entry("418", "already exists"), Map.entry("425", "permission denied"),
            Map.entry("500", "command failed on the PC"), Map.entry("507", "atomic failed"), Map.entry("516", "atomic roll back failed"));

    private StatusCodes() {
    }

    static String describe(String code) {
        return TEXT.getOrDefault(code == null ? "" : code.strip(), "status " + code);
    }
}
