package io.mooring.platform.windows.internal;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mooring.api.Actor;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.spi.pki.ClientCertificates;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.MooringException;
import io.mooring.api.PendingCommand;
import io.mooring.api.ValidationException;
import io.mooring.platform.windows.internal.Syncml.Command;
import io.mooring.platform.windows.internal.Syncml.El;
import io.mooring.platform.windows.internal.Syncml.Message;
import io.mooring.platform.windows.internal.WindowsCommands.Op;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OMA-DM management sessions (OMA-TS-DM_Protocol-V1_2, as MS-MDM profiles it), independent of the servlet
 * API. Each message from a PC is authenticated by the client certificate issued at its enrollment; its
 * commands get their Status, its Status and Results complete Mooring's commands, and the reply carries
 * the next queued commands. A session ends when Mooring's reply holds no command.
 */
final class OmaDmProtocol {
    static final String PATH = "/ManagementServer/MDM.svc";
    static final String ATTR_SESSION = "windows.dm-session";
    static final String ATTR_INVENTORY_ASKED = "windows.inventory-asked";
    /** A message that restarts MsgID at 1 under the same SessionID this long after the last one is a new session (ids wrap). */
    static final Duration SESSION_REUSE = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(OmaDmProtocol.class);
    /** Issuer checks and the device each certificate names, once per certificate (a PC shows the same one every session). */
    private final ClientCertificates certificates = new ClientCertificates();

    /** What to answer; {@code body} is null for plain HTTP refusals, whose reason is in {@code reason}. */
    record Answer(int status, byte[] body, String contentType, String reason) {
        static Answer plain(int status, String reason) {
            return new Answer(status, null, null, reason);
        }
    }

    record Settings(String serverUrl, int commandsPerMessage, Duration inventoryEvery) {
    }

    /** A refusal of the whole message, said as the Status of its SyncHdr (OMA-DM's way). */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Refused(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }
    }

    private final DeviceRegistry devices;
    private final CommandService commands;
    private final InventoryService inventory;
    private final DeviceAttributes attributes;
    private final java.util.function.Supplier<List<X509Certificate>> caChain;
    private final java.util.function.Consumer<String> revokeSuperseded;
    private final WindowsCommands translator;
    private final Settings settings;
    private final Clock clock;

    OmaDmProtocol(DeviceRegistry devices, CommandService commands, InventoryService inventory, DeviceAttributes attributes,
            java.util.function.Supplier<List<X509Certificate>> caChain, java.util.function.Consumer<String> revokeSuperseded, WindowsCommands translator,
            Settings settings, Clock clock) {
        this.revokeSuperseded = revokeSuperseded;
        this.devices = devices;
        this.commands = commands;
        this.inventory = inventory;
        this.attributes = attributes;
        this.caChain = caChain;
        this.translator = translator;
        this.settings = settings;
        this.clock = clock;
    }

    Answer handle(byte[] body, boolean wbxml, X509Certificate certificate) {
        Message message;
        try {
            message = Syncml.read(body, wbxml);
        } catch (Syncml.Malformed e) {
            return Answer.plain(400, e.getMessage());
        }
        Instant now = clock.instant();
        Reply reply = new Reply(message.header());
        Device device;
        Map<String, byte[]> stored;
        List<PendingCommand> open;
        try {
            DeviceId id = issuedTo(certificate);
            // the PC and everything this plugin keeps for it, in one read
            // a final message gets commands in reply: the snapshot brings the candidates along
            Optional<DeviceAttributes.Snapshot> snapshot = attributes.snapshot(id, "windows.", message.isFinal() ? openWindow() : 0);
            stored = snapshot.map(DeviceAttributes.Snapshot::values).orElse(Map.of());
            open = snapshot.map(DeviceAttributes.Snapshot::open).orElse(List.of());
            device = authorize(snapshot.map(DeviceAttributes.Snapshot::device), certificate, message.header().source(), stored);
        } catch (Refused r) {
            LOG.debug("Refused an OMA-DM message from {}: {}", message.header().source(), r.getMessage());
            reply.headerStatus = r.code;
            reply.msgId = 1;
            return answer(reply, wbxml);
        }
        // the PC shows the identity a renewal gave it: the one replaced stops working with this message's write
        reply.dropPreviousIdentity = stored.containsKey(EnrollmentProtocol.ATTR_IDENTITY_PREVIOUS)
                && certificate.getSerialNumber().toString(16).equals(utf8(stored.get(EnrollmentProtocol.ATTR_IDENTITY)));
        DmSession session = DmSession.read(stored.get(ATTR_SESSION));
        long msgId = Syncml.number(message.header().msgId());
        boolean fresh = session == null || !session.sessionId.equals(message.header().sessionId())
                || msgId == 1 && session.lastSeen.plus(SESSION_REUSE).isBefore(now);
        if (!fresh && msgId <= session.lastClientMsgId) {
            LOG.info("Refused a replayed OMA-DM message (session {}, MsgID {}) from PC {}", session.sessionId, msgId, device.id());
            reply.headerStatus = "400";
            reply.msgId = session.serverMsgId + 1;
            return answer(reply, wbxml);
        }
        if (fresh) {
            session = DmSession.fresh(message.header().sessionId(), now);
        }
        session.lastClientMsgId = msgId;
        session.lastSeen = now;
        reply.msgId = ++session.serverMsgId;

        boolean userUnenrolled = false;
        for (Command c : message.commands()) {
            switch (c.name()) {
                case "Status" -> statusOf(session, c);
                case "Results" -> resultsOf(session, c);
                case "Alert" -> {
                    reply.status(c, "200");
                    // MS-MDM: a PC whose user removed the work account says so in a generic alert before it goes
                    userUnenrolled |= "1226".equals(c.data()) && c.items().stream().anyMatch(i -> i.type() != null
                            && i.type().contains("mdm.unenrollment"));
                }
                case "Replace" -> reply.status(c, "200"); // the client's DevInfo; inventory reads it on schedule
                default -> reply.status(c, "406");
            }
        }
        Answered answered = answered(session);
        boolean unenrolling = userUnenrolled || answered.unenrollAcknowledged();
        boolean more = message.isFinal() && !unenrolling;
        if (more && !session.sent.isEmpty()) {
            // the PC finished its package without answering these; their deliveries stay SENT and are handed out again
            LOG.info("Windows PC {} left {} OMA-DM commands unanswered; they will be sent again", device.id(), session.sent.size());
            session.sent.clear();
            session.progress.clear();
        }
        boolean inventoryQueued = more && fresh && askForInventoryWhenDue(device, now, stored.get(ATTR_INVENTORY_ASKED));
        Map<CommandId, String> notSent = new LinkedHashMap<>();
        CommandService.Exchange exchange;
        List<PendingCommand> candidates = open.stream().filter(p -> !answered.results().containsKey(p.id())).limit(perMessage()).toList();
        // the snapshot's open commands make the reply, unless the inventory request just queued belongs in it, or the snapshot's
        // list was all answers with more beyond it
        if (more && !inventoryQueued && (!candidates.isEmpty() || open.size() < openWindow())) {
            // answers, hand-out and the session state that says which CmdIDs the commands went under: one write
            int[] mark = {reply.commands.size(), reply.nextCmdId, session.sent.size()};
            List<CommandId> handOut = fill(reply, session, message.header().maxMsgSize(), candidates, notSent);
            Map<CommandId, CommandResult> results = new LinkedHashMap<>(answered.results());
            notSent.forEach((id, reason) -> results.put(id, notSent(reason)));
            notSent.clear();
            exchange = commands.exchange(device.id(), results, handOut, reply.keep(session.write()));
            if (exchange.next().size() != handOut.size()) {
                // one was cancelled or answered since the snapshot (its session state was not written): a fresh hand-out
                reply.commands.subList(mark[0], reply.commands.size()).clear();
                reply.nextCmdId = mark[1];
                session.sent.subList(mark[2], session.sent.size()).clear();
                Map<CommandId, io.mooring.api.Completion> recorded = exchange.completions();
                exchange = new CommandService.Exchange(recorded, handOutAndKeep(device, Map.of(), perMessage(), reply, session, message.header(),
                        message.isFinal(), false, notSent).next());
            }
        } else {
            exchange = handOutAndKeep(device, answered.results(), more ? perMessage() : 0, reply, session, message.header(), message.isFinal(),
                    unenrolling, notSent);
        }
        answered.afterRecorded(exchange, device);
        if (reply.dropPreviousIdentity) {
            // the PC uses its renewed identity: the one it replaced is done
            String previous = utf8(stored.get(EnrollmentProtocol.ATTR_IDENTITY_PREVIOUS));
            try {
                revokeSuperseded.accept(previous);
                LOG.info("Windows PC {} uses its renewed identity; {} is revoked", device.id(), previous);
            } catch (MooringException e) {
                LOG.warn("Could not revoke the identity {} that Windows PC {} replaced: {}", previous, device.id(), e.getMessage());
            }
        }
        notSent.forEach((id, reason) -> commands.complete(device.id(), id, notSent(reason)));
        if (userUnenrolled) {
            LOG.info("Windows PC {} says its user removed the work account: unenrolling it", device.id());
            devices.unenroll(device.tenant(), device.id(), Actor.device(device.id()));
        }
        return answer(reply, wbxml);
    }

    private int perMessage() {
        return Math.max(1, Math.min(settings.commandsPerMessage(), 100));
    }

    /** How many open commands the snapshot reads: a message's worth of answers still open in it, and a message's worth to send. */
    private int openWindow() {
        return 2 * perMessage();
    }

    private static CommandResult notSent(String reason) {
        return CommandResult.error("not sent: " + reason, Map.of());
    }

    /**
     * Records the answers and hands out up to {@code max} commands, with the session state they leave (or
     * its removal, when the PC is unenrolling) in the same transaction; the reply gets the commands, or
     * OMA-DM's request for the rest of the PC's package.
     */
    private CommandService.Exchange handOutAndKeep(Device device, Map<CommandId, CommandResult> results, int max, Reply reply, DmSession state,
            Syncml.Header header, boolean isFinal, boolean unenrolling, Map<CommandId, String> notSent) {
        return commands.exchange(device.id(), results, max, next -> {
            if (unenrolling) {
                return reply.keep(null);
            } else if (!isFinal) {
                // the PC's package continues in its next message: ask for it (OMA-DM Alert 1222)
                reply.commands.add(El.of("Alert", El.text("CmdID", Integer.toString(reply.nextCmdId++)), El.text("Data", "1222")));
            } else {
                fill(reply, state, header.maxMsgSize(), next, notSent);
            }
            return reply.keep(state.write());
        });
    }

    /** The device a certificate names, once it is valid now and issued by Mooring's CA. */
    private DeviceId issuedTo(X509Certificate cert) throws Refused {
        if (cert == null) {
            throw new Refused("407", "no client certificate");
        }
        if (!ClientCertificates.validAt(cert, clock.instant())) {
            throw new Refused("401", "the client certificate is not valid now");
        }
        if (!certificates.issuedBy(cert, caChain.get())) {
            throw new Refused("401", "the client certificate was not issued by Mooring's CA");
        }
        DeviceId id = certificates.deviceNamedBy(cert.getSubjectX500Principal().getName());
        if (id == null) {
            throw new Refused("403", "the certificate names no device");
        }
        return id;
    }

    /** An enrolled Windows PC holds this certificate, the very one issued at its enrollment, and names itself as it did then. */
    private static Device authorize(Optional<Device> found, X509Certificate cert, String source, Map<String, byte[]> stored) throws Refused {
        if (found.isEmpty() || !found.get().platform().equals(WindowsPlatform.ID) || found.get().state() != DeviceState.ENROLLED) {
            throw new Refused("403", "no enrolled Windows PC holds this certificate");
        }
        String serial = cert.getSerialNumber().toString(16);
        String bound = utf8(stored.get(EnrollmentProtocol.ATTR_IDENTITY));
        // after a renewal, the identity it replaced until the PC first shows the new one
        String previous = utf8(stored.get(EnrollmentProtocol.ATTR_IDENTITY_PREVIOUS));
        if (!serial.equals(bound) && !serial.equals(previous)) {
            throw new Refused("403", "this is not the certificate issued to the PC at enrollment");
        }
        String deviceId = utf8(stored.get(EnrollmentProtocol.ATTR_DEVICE_ID));
        if (deviceId != null && !deviceId.equalsIgnoreCase(source)) {
            throw new Refused("403", "the message's Source is not the DeviceID the PC enrolled with");
        }
        return found.get();
    }

    static String utf8(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static void statusOf(DmSession session, Command status) {
        if ("0".equals(status.cmdRef())) {
            return; // the Status of Mooring's SyncHdr
        }
        for (DmSession.Sent sent : session.sent) {
            if (String.valueOf(sent.msgId()).equals(status.msgRef()) && String.valueOf(sent.cmdId()).equals(status.cmdRef())) {
                session.progress.computeIfAbsent(sent.command(), k -> new DmSession.Progress()).statuses.put(sent.key(),
                        status.data() == null ? "" : status.data());
                return;
            }
        }
    }

    private static void resultsOf(DmSession session, Command results) {
        for (DmSession.Sent sent : session.sent) {
            if (String.valueOf(sent.msgId()).equals(results.msgRef() == null ? String.valueOf(sent.msgId()) : results.msgRef())
                    && String.valueOf(sent.cmdId()).equals(results.cmdRef())) {
                DmSession.Progress p = session.progress.computeIfAbsent(sent.command(), k -> new DmSession.Progress());
                for (Syncml.Item item : results.items()) {
                    String uri = item.source() != null ? item.source() : sent.uri();
                    p.results.put(uri, item.data() == null ? "" : item.data());
                }
                return;
            }
        }
    }

    /** The results of Mooring's commands whose OMA-DM commands all have their Status, and what to do once they are recorded. */
    private final class Answered {
        final Map<CommandId, CommandResult> results = new LinkedHashMap<>();
        final Map<CommandId, String> types = new LinkedHashMap<>();
        final Map<CommandId, DmSession.Progress> progress = new LinkedHashMap<>();

        Map<CommandId, CommandResult> results() {
            return results;
        }

        boolean unenrollAcknowledged() {
            return results.entrySet().stream().anyMatch(e -> types.get(e.getKey()).equals(WindowsCommands.UNENROLL)
                    && e.getValue().outcome() == CommandResult.Outcome.ACKNOWLEDGED);
        }

        void afterRecorded(CommandService.Exchange exchange, Device device) {
            exchange.completions().forEach((id, completion) -> {
                // the exchange may also have failed commands that could not be sent: those are not this message's answers
                CommandResult answer = results.get(id);
                if (completion == io.mooring.api.Completion.RECORDED && answer != null && answer.outcome() == CommandResult.Outcome.ACKNOWLEDGED) {
                    afterAcknowledged(types.get(id), progress.get(id), device);
                }
            });
        }
    }

    private Answered answered(DmSession session) {
        Answered answered = new Answered();
        Set<CommandId> ids = new LinkedHashSet<>();
        session.sent.forEach(s -> ids.add(s.command()));
        for (CommandId id : ids) {
            DmSession.Progress p = session.progress.get(id);
            List<DmSession.Sent> parts = session.sent.stream().filter(s -> s.command().equals(id)).toList();
            if (p == null || parts.stream().filter(DmSession.Sent::required).anyMatch(s -> !p.statuses.containsKey(s.key()))) {
                continue;
            }
            String type = parts.get(0).type();
            Map<String, Object> statuses = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            for (DmSession.Sent s : parts) {
                String code = p.statuses.get(s.key());
                if (code == null) {
                    continue;
                }
                statuses.put(s.uri(), code);
                if (!success(code)) {
                    failures.add(s.uri() + " answered " + code + " (" + StatusCodes.describe(code) + ")");
                }
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("statuses", statuses);
            if (!p.results.isEmpty()) {
                data.put("results", new LinkedHashMap<>(p.results));
            }
            boolean inventoryRead = type.equals(WindowsCommands.DEVICE_INFORMATION);
            answered.results.put(id, failures.isEmpty() || inventoryRead && !p.results.isEmpty() ? CommandResult.acknowledged(data)
                    : CommandResult.error(String.join("; ", failures), data));
            answered.types.put(id, type);
            answered.progress.put(id, p);
            session.sent.removeIf(s -> s.command().equals(id));
            session.progress.remove(id);
        }
        return answered;
    }

    private void afterAcknowledged(String type, DmSession.Progress progress, Device device) {
        if (type.equals(WindowsCommands.DEVICE_INFORMATION)) {
            Map<String, Object> facts = WindowsCommands.inventoryFacts(progress.results);
            DeviceDescription summary;
            try {
                summary = new DeviceDescription((String) facts.get("deviceName"), model(facts), (String) facts.get("osVersion"),
                        (String) facts.get("serialNumber"), null);
            } catch (ValidationException e) {
                summary = DeviceDescription.EMPTY;
            }
            inventory.record(device.id(), new InventorySnapshot(clock.instant(), summary, facts));
        } else if (type.equals(WindowsCommands.UNENROLL)) {
            LOG.info("Windows PC {} acknowledged its unenrollment", device.id());
            devices.unenroll(device.tenant(), device.id(), Actor.SYSTEM);
        }
    }

    private static String model(Map<String, Object> facts) {
        Object man = facts.get("manufacturer");
        Object mod = facts.get("model");
        return mod == null ? null : man == null ? mod.toString() : man + " " + mod;
    }

    static boolean success(String code) {
        long c = Syncml.number(code == null ? "" : code.strip());
        return c >= 200 && c < 300 && c != 215 && c != 216;
    }

    /** Asks for an inventory report at the start of a session when the last request is older than the configured interval; true if it did. */
    private boolean askForInventoryWhenDue(Device device, Instant now, byte[] lastAsked) {
        Optional<Instant> asked = Optional.ofNullable(lastAsked).map(b -> {
            try {
                return Instant.parse(new String(b, StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                return Instant.EPOCH;
            }
        });
        if (asked.isPresent() && asked.get().plus(settings.inventoryEvery()).isAfter(now)) {
            return false;
        }
        try {
            commands.enqueue(device.tenant(), new CommandRequest(new CommandType(WindowsCommands.DEVICE_INFORMATION), Map.of(),
                    new CommandTarget.Devices(List.of(device.id())), now.plus(settings.inventoryEvery())), Actor.SYSTEM);
            attributes.put(device.id(), ATTR_INVENTORY_ASKED, now.toString().getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (MooringException e) {
            LOG.warn("Could not queue the inventory request for Windows PC {}: {}", device.id(), e.getMessage());
            return false;
        }
    }

    /**
     * The next queued commands, as many as the configured count and the PC's MaxMsgSize allow; those that
     * cannot be said in SyncML go into {@code notSent} with the reason, to be failed once the exchange is in.
     */
    private List<CommandId> fill(Reply reply, DmSession session, Long maxMsgSize, List<PendingCommand> next, Map<CommandId, String> notSent) {
        List<int[]> marks = new ArrayList<>(); // per command: first element index, first CmdID, first Sent index
        List<CommandId> included = new ArrayList<>();
        for (PendingCommand pending : next) {
            List<Op> ops;
            try {
                ops = translator.translate(pending.type().name(), pending.payload());
            } catch (ValidationException e) {
                notSent.put(pending.id(), e.getMessage());
                continue;
            }
            marks.add(new int[] {reply.commands.size(), reply.nextCmdId, session.sent.size()});
            included.add(pending.id());
            for (Op op : ops) {
                reply.commands.add(element(op, reply, session, pending, true));
            }
        }
        // over the PC's limit, the last commands wait for the session's next message
        while (maxMsgSize != null && marks.size() > 1 && Syncml.toXml(reply.build()).length > maxMsgSize * 9 / 10) {
            int[] last = marks.remove(marks.size() - 1);
            included.remove(included.size() - 1);
            reply.commands.subList(last[0], reply.commands.size()).clear();
            reply.nextCmdId = last[1];
            session.sent.subList(last[2], session.sent.size()).clear();
        }
        return included;
    }

    private El element(Op op, Reply reply, DmSession session, PendingCommand pending, boolean required) {
        int cmdId = reply.nextCmdId++;
        String label = op.verb() + (op.uri() == null ? "" : " " + op.uri());
        session.sent.add(new DmSession.Sent(session.serverMsgId, cmdId, pending.id(), pending.type().name(), label, required));
        List<El> children = new ArrayList<>();
        children.add(El.text("CmdID", Integer.toString(cmdId)));
        if (op.verb().equals("Atomic")) {
            for (Op inner : op.nested()) {
                children.add(element(inner, reply, session, pending, false));
            }
            return El.of("Atomic", children);
        }
        List<El> item = new ArrayList<>();
        item.add(El.of("Target", El.text("LocURI", op.uri())));
        if (op.format() != null) {
            item.add(El.of("Meta", El.meta("Format", op.format()), El.meta("Type", op.type())));
        }
        if (op.data() != null && !op.verb().equals("Get") && !op.verb().equals("Delete")) {
            item.add(El.text("Data", op.data()));
        }
        children.add(El.of("Item", item));
        return El.of(op.verb(), children);
    }

    private Answer answer(Reply reply, boolean wbxml) {
        El root = reply.build();
        byte[] bytes = wbxml ? Wbxml.encode(root) : Syncml.toXml(root);
        return new Answer(200, bytes, wbxml ? Syncml.WBXML_TYPE : Syncml.XML_TYPE + "; charset=UTF-8", null);
    }

    /** The message Mooring answers with: SyncHdr, the Status of the client's header and commands, then Mooring's commands. */
    private final class Reply {
        final Syncml.Header client;
        String headerStatus = "200";
        int msgId;
        int nextCmdId = 2;
        boolean dropPreviousIdentity;
        final List<El> statuses = new ArrayList<>();
        final List<El> commands = new ArrayList<>();

        Reply(Syncml.Header client) {
            this.client = client;
        }

        /** The values this message writes: the session state (null removes it), and the end of a replaced identity. */
        Map<String, byte[]> keep(byte[] sessionState) {
            Map<String, byte[]> kept = new java.util.HashMap<>();
            kept.put(ATTR_SESSION, sessionState);
            if (dropPreviousIdentity) {
                kept.put(EnrollmentProtocol.ATTR_IDENTITY_PREVIOUS, null);
            }
            return kept;
        }

        void status(Command c, String code) {
            List<El> children = new ArrayList<>(List.of(El.text("CmdID", Integer.toString(nextCmdId++)), El.text("MsgRef", client.msgId()),
                    El.text("CmdRef", c.cmdId()), El.text("Cmd", c.name())));
            if (c.items().size() == 1 && c.items().get(0).target() != null) {
                children.add(El.text("TargetRef", c.items().get(0).target()));
            }
            children.add(El.text("Data", code));
            statuses.add(El.of("Status", children));
        }

        El build() {
            List<El> header = new ArrayList<>(List.of(El.text("VerDTD", "1.2"), El.text("VerProto", "DM/1.2"), El.text("SessionID", client.sessionId()),
                    El.text("MsgID", Integer.toString(msgId)), El.of("Target", El.text("LocURI", client.source())),
                    El.of("Source", El.text("LocURI", client.target() != null ? client.target() : settings.serverUrl() + PATH))));
            List<El> body = new ArrayList<>();
            List<El> hdrStatus = new ArrayList<>(List.of(El.text("CmdID", "1"), El.text("MsgRef", client.msgId()), El.text("CmdRef", "0"),
                    El.text("Cmd", "SyncHdr")));
            if (client.target() != null) {
                hdrStatus.add(El.text("TargetRef", client.target()));
            }
            hdrStatus.add(El.text("SourceRef", client.source()));
            hdrStatus.add(El.text("Data", headerStatus));
            body.add(El.of("Status", hdrStatus));
            if ("200".equals(headerStatus)) {
                body.addAll(statuses);
                body.addAll(commands);
            }
            body.add(El.empty("Final"));
            return El.of("SyncML", El.of("SyncHdr", header), El.of("SyncBody", body));
        }
    }
}
