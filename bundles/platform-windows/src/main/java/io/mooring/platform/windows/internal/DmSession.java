package io.mooring.platform.windows.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mooring.api.CommandId;

/**
 * Where a PC's OMA-DM session stands, kept in the database (a device attribute) rather than in a node's
 * memory, so whichever node receives the session's next message can carry on: the session and last
 * message ids (a replayed message is refused), and which of Mooring's commands went out in which message
 * under which CmdID, awaiting which Status. A command whose answers arrive over several messages keeps
 * what it has received so far here.
 */
final class DmSession {
    private static final int FORMAT = 1;
    /** Room left for partial results within a device attribute's 16 KiB. */
    static final int MAX_KEPT_RESULTS = 8 * 1024;

    /** One OMA-DM command Mooring sent and awaits a Status for; {@code required} is false inside Atomic (its Atomic's Status decides). */
    record Sent(int msgId, int cmdId, CommandId command, String type, String uri, boolean required) {
        String key() {
            return msgId + ":" + cmdId;
        }
    }

    /** What a command's answers said so far. */
    static final class Progress {
        final Map<String, String> statuses = new LinkedHashMap<>();
        final Map<String, String> results = new LinkedHashMap<>();
    }

    String sessionId;
    long lastClientMsgId;
    int serverMsgId;
    Instant lastSeen = Instant.EPOCH;
    final List<Sent> sent = new ArrayList<>();
    final Map<CommandId, Progress> progress = new LinkedHashMap<>();

    static DmSession fresh(String sessionId, Instant now) {
        DmSession s = new DmSession();
        s.sessionId = sessionId;
        s.lastSeen = now;
        return s;
    }

    byte[] write() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(sessionId);
            out.writeLong(lastClientMsgId);
            out.writeInt(serverMsgId);
            out.writeLong(lastSeen.toEpochMilli());
            out.writeInt(sent.size());
            for (Sent s : sent) {
                out.writeInt(s.msgId());
                out.writeInt(s.cmdId());
                out.writeLong(s.command().value().getMostSignificantBits());
                out.writeLong(s.command().value().getLeastSignificantBits());
                out.writeUTF(s.type());
                out.writeUTF(s.uri() == null ? "" : s.uri());
                out.writeBoolean(s.required());
            }
            int budget = MAX_KEPT_RESULTS;
            out.writeInt(progress.size());
            for (Map.Entry<CommandId, Progress> e : progress.entrySet()) {
                out.writeLong(e.getKey().value().getMostSignificantBits());
                out.writeLong(e.getKey().value().getLeastSignificantBits());
                budget = writeMap(out, e.getValue().statuses, budget);
                budget = writeMap(out, e.getValue().results, budget);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static int writeMap(DataOutputStream out, Map<String, String> map, int budget) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            String value = e.getValue() == null ? "" : e.getValue();
            if (value.length() > budget) {
                value = value.substring(0, Math.max(0, budget)) + "…(truncated)";
            }
            budget -= value.length();
            out.writeUTF(truncate(e.getKey()));
            out.writeUTF(value);
        }
        return budget;
    }

    private static String truncate(String s) {
        return s.length() > 2048 ? s.substring(0, 2048) : s;
    }

    /** The stored session, or null when there is none or it was written by a format this version does not read. */
    static DmSession read(byte[] stored) {
        if (stored == null || stored.length == 0 || stored[0] != FORMAT) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            in.readByte();
            DmSession s = new DmSession();
            s.sessionId = in.readUTF();
            s.lastClientMsgId = in.readLong();
            s.serverMsgId = in.readInt();
            s.lastSeen = Instant.ofEpochMilli(in.readLong());
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int msg = in.readInt();
                int cmd = in.readInt();
                CommandId id = new CommandId(new UUID(in.readLong(), in.readLong()));
                String type = in.readUTF();
                String uri = in.readUTF();
                s.sent.add(new Sent(msg, cmd, id, type, uri.isEmpty() ? null : uri, in.readBoolean()));
            }
            int p = in.readInt();
            for (int i = 0; i < p; i++) {
                Progress progress = new Progress();
                CommandId id = new CommandId(new UUID(in.readLong(), in.readLong()));
                readMap(in, progress.statuses);
                readMap(in, progress.results);
                s.progress.put(id, progress);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void readMap(DataInputStream in, Map<String, String> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.put(in.readUTF(), in.readUTF());
        }
    }
}
