package io.mooring.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import io.mooring.api.Actor;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.DeliveryState;
import io.mooring.api.Device;
import io.mooring.api.DeviceId;
import io.mooring.api.NotFoundException;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.UnavailableException;
import io.mooring.api.store.CommandStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The command queue in plain JDBC: fan-out is set-based ({@code INSERT … SELECT} from the device table,
 * in chunks of ids when devices are named), so one command to a whole fleet is a handful of statements;
 * a device's next command is an index walk on {@code (device_id, command_seq)}. Every statement that an
 * admin reaches carries the tenant, so a command can only ever reach devices of its own tenant.
 */
@Component(service = CommandStore.class)
public final class JdbcCommandStore implements CommandStore {
    static final int CHUNK = 500;

    private final Jdbc jdbc;
    /**
     * How one delivery is addressed in UPDATEs. On PostgreSQL both the primary key (device_id, command_id)
     * and command_delivery_by_command (command_id, device_id) find exactly its row, so a planner whose
     * statistics a fan-out left stale still reads that row alone (schema 6). H2 with such statistics walked
     * every delivery of the new command through the index of the command_id foreign key (seen in the running
     * distribution, not reproduced by a test's fresh statistics); comparing command_id through an expression
     * leaves it the primary key's device_id prefix: the device's own deliveries.
     */
    private final String deliveryKey;
    /**
     * The delivery is queued or sent. On H2 through an expression: with the state indexable, H2 planned these
     * UPDATEs through command_delivery_by_state and read every open delivery of every device.
     */
    private final String stillOpen;

    @Activate
    public JdbcCommandStore(@Reference MigratedDatabase database) {
        this(database.jdbc());
    }

    JdbcCommandStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.deliveryKey = deliveryKey(jdbc.postgres());
        this.stillOpen = stillOpen(jdbc.postgres());
    }

    static String deliveryKey(boolean postgres) {
        return postgres ? "device_id = ? AND command_id = ?" : "device_id = ? AND CONCAT(command_id, '') = ?";
    }

    static String stillOpen(boolean postgres) {
        return postgres ? "state IN ('QUEUED', 'SENT')" : "CONCAT(state, '') IN ('QUEUED', 'SENT')";
    }

    @Override
    public Map<DeviceId, PlatformId> enrolledPlatforms(TenantId tenant, Collection<DeviceId> ids) {
        return jdbc.inTransaction(c -> {
            Map<DeviceId, PlatformId> out = new HashMap<>();
            for (List<DeviceId> chunk : chunks(ids)) {
                try (PreparedStatement p = c.prepareStatement("SELECT id, platform FROM device WHERE tenant_id = ? AND state = 'ENROLLED' AND id IN ("
                        + placeholders(chunk.size()) + ")")) {
                    p.setString(1, tenant.value());
                    bindIds(p, 2, chunk);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.put(new DeviceId(UUID.fromString(rs.getString(1))), new PlatformId(rs.getString(2)));
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Command insertForDevices(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, Collection<DeviceId> devices) {
        return jdbc.inTransaction(c -> {
            long seq = insertCommand(c, tenant, id, type, payload, actor, now, expiresAt);
            long inserted = 0;
            for (List<DeviceId> chunk : chunks(devices)) {
                try (PreparedStatement p = c.prepareStatement(FAN_OUT + " AND v.id IN (" + placeholders(chunk.size()) + ")")) {
                    int i = bindFanOut(p, id, seq, now, tenant);
                    bindIds(p, i, chunk);
                    inserted += p.executeUpdate();
                }
            }
            if (inserted != devices.size()) {
                // a device was unenrolled between validation and insert: nothing is queued, the caller retries
                throw new NotFoundException("some target devices are no longer enrolled; nothing was queued");
            }
            return command(c, tenant, id).orElseThrow();
        });
    }

    @Override
    public Command insertForPlatform(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, PlatformId platform) {
        return jdbc.inTransaction(c -> {
            long seq = insertCommand(c, tenant, id, type, payload, actor, now, expiresAt);
            try (PreparedStatement p = c.prepareStatement(FAN_OUT + " AND v.platform = ?")) {
                int i = bindFanOut(p, id, seq, now, tenant);
                p.setString(i, platform.value());
                p.executeUpdate();
            }
            return command(c, tenant, id).orElseThrow();
        });
    }

    @Override
    public Command insertForGroup(TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt, io.mooring.api.GroupId group, PlatformId platform) {
        return jdbc.inTransaction(c -> {
            long seq = insertCommand(c, tenant, id, type, payload, actor, now, expiresAt);
            // the fan-out's own tenant condition keeps it to the tenant's devices (and so to its group)
            try (PreparedStatement p = c.prepareStatement(FAN_OUT + " AND v.platform = ? AND v.id IN (SELECT m.device_id FROM device_group_member m "
                    + "WHERE m.group_id = ?)")) {
                int i = bindFanOut(p, id, seq, now, tenant);
                p.setString(i, platform.value());
                p.setString(i + 1, group.toString());
                p.executeUpdate();
            }
            return command(c, tenant, id).orElseThrow();
        });
    }

    private static final String FAN_OUT = "INSERT INTO command_delivery (device_id, command_id, command_seq, tenant_id, state, attempts, queued_at) "
            + "SELECT v.id, ?, ?, v.tenant_id, 'QUEUED', 0, ? FROM device v WHERE v.tenant_id = ? AND v.state = 'ENROLLED'";

    private static int bindFanOut(PreparedStatement p, CommandId id, long seq, Instant now, TenantId tenant) throws SQLException {
        p.setString(1, id.toString());
        p.setLong(2, seq);
        SqlTime.set(p, 3, now);
        p.setString(4, tenant.value());
        return 5;
    }

    private static long insertCommand(Connection c, TenantId tenant, CommandId id, CommandType type, Map<String, Object> payload, Actor actor,
            Instant now, Instant expiresAt) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO command (id, tenant_id, type, payload, issued_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                new String[] {"seq"})) {
            p.setString(1, id.toString());
            p.setString(2, tenant.value());
            p.setString(3, type.name());
            p.setString(4, Json.write(payload));
            p.setString(5, actor.toString());
            SqlTime.set(p, 6, now);
            SqlTime.set(p, 7, expiresAt);
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    @Override
    public Optional<Command> find(TenantId tenant, CommandId id) {
        return jdbc.inTransaction(c -> command(c, tenant, id));
    }

    private static Optional<Command> command(Connection c, TenantId tenant, CommandId id) throws SQLException {
        Map<DeliveryState, Long> counts = new EnumMap<>(DeliveryState.class);
        for (DeliveryState s : DeliveryState.values()) {
            counts.put(s, 0L);
        }
        try (PreparedStatement p = c.prepareStatement("SELECT type, payload, issued_by, created_at, expires_at FROM command WHERE id = ? AND tenant_id = ?")) {
            p.setString(1, id.toString());
            p.setString(2, tenant.value());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String issuedBy = rs.getString(3);
                int colon = issuedBy.indexOf(':');
                Actor actor = new Actor(Actor.Kind.valueOf(issuedBy.substring(0, colon).toUpperCase(java.util.Locale.ROOT)), issuedBy.substring(colon + 1));
                CommandType type = new CommandType(rs.getString(1));
                Map<String, Object> payload = Json.readMap(rs.getString(2));
                Instant created = SqlTime.get(rs, 4);
                Instant expires = SqlTime.get(rs, 5);
                try (PreparedStatement q = c.prepareStatement("SELECT state, COUNT(*) FROM command_delivery WHERE command_id = ? GROUP BY state")) {
                    q.setString(1, id.toString());
                    try (ResultSet r = q.executeQuery()) {
                        while (r.next()) {
                            counts.put(DeliveryState.valueOf(r.getString(1)), r.getLong(2));
                        }
                    }
                }
                return Optional.of(new Command(id, tenant, type, payload, actor, created, expires, Collections.unmodifiableMap(counts)));
            }
        }
    }

    @Override
    public long cancel(TenantId tenant, CommandId id, Instant now) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE command_delivery SET state = 'CANCELED', completed_at = ? WHERE command_id = ? AND tenant_id = ? AND state = 'QUEUED'")) {
                SqlTime.set(p, 1, now);
                p.setString(2, id.toString());
                p.setString(3, tenant.value());
                return (long) p.executeUpdate();
            }
        });
    }

    @Override
    public Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page) {
        return jdbc.inTransaction(c -> {
            long total;
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM command_delivery WHERE device_id = ? AND tenant_id = ?")) {
                p.setString(1, device.toString());
                p.setString(2, tenant.value());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<Delivery> items = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT d.command_id, c.type, d.state, d.attempts, d.queued_at, d.sent_at, d.completed_at, "
                    + "d.result_status, d.result_data, d.result_error FROM command_delivery d JOIN command c ON c.id = d.command_id "
                    + "WHERE d.device_id = ? AND d.tenant_id = ? ORDER BY d.command_seq DESC LIMIT ? OFFSET ?")) {
                p.setString(1, device.toString());
                p.setString(2, tenant.value());
                p.setInt(3, page.limit());
                p.setInt(4, page.offset());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        String status = rs.getString(8);
                        CommandResult result = status == null ? null
                                : new CommandResult(CommandResult.Outcome.valueOf(status), Json.readMap(rs.getString(9)), rs.getString(10));
                        items.add(new Delivery(new CommandId(UUID.fromString(rs.getString(1))), device, new CommandType(rs.getString(2)),
                                DeliveryState.valueOf(rs.getString(3)), rs.getInt(4), SqlTime.get(rs, 5),
                                SqlTime.get(rs, 6), SqlTime.get(rs, 7), result));
                    }
                }
            }
            return new Page<>(items, total, page.offset(), page.limit());
        });
    }

    /**
     * PostgreSQL hands out and marks the commands in one statement (a single round trip on the hot path
     * of every check-in); RETURNING has no order, so the rows are sorted by queue position here.
     */
    private static final String NEXT_POSTGRES = "UPDATE command_delivery d SET state = 'SENT', attempts = d.attempts + 1, sent_at = ? "
            + "FROM command c WHERE c.id = d.command_id AND d.device_id = ? AND d.command_id IN ("
            + "SELECT n.command_id FROM command_delivery n JOIN command nc ON nc.id = n.command_id WHERE n.device_id = ? "
            + "AND n.state IN ('QUEUED', 'SENT') AND (nc.expires_at IS NULL OR nc.expires_at > ?)%s ORDER BY n.command_seq LIMIT ?) "
            + "RETURNING d.command_id, d.attempts, c.type, c.payload, d.command_seq";

    private static int bindNext(PreparedStatement p, int from, DeviceId device, int max, Instant now) throws SQLException {
        SqlTime.set(p, from, now);
        p.setString(from + 1, device.toString());
        p.setString(from + 2, device.toString());
        SqlTime.set(p, from + 3, now);
        p.setInt(from + 4, max);
        return from + 5;
    }

    /** A row of NEXT_POSTGRES's RETURNING, from column {@code at}: its queue position and the command. */
    private static Object[] handedOut(ResultSet rs, DeviceId device, int at) throws SQLException {
        return new Object[] {rs.getLong(at + 4), new PendingCommand(new CommandId(UUID.fromString(rs.getString(at))), device,
                new CommandType(rs.getString(at + 2)), Json.readMap(rs.getString(at + 3)), rs.getInt(at + 1))};
    }

    /** RETURNING has no order: the handed-out rows sorted by queue position. */
    private static List<PendingCommand> inQueueOrder(List<Object[]> rows) {
        rows.sort(java.util.Comparator.comparingLong(r -> (Long) r[0]));
        List<PendingCommand> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add((PendingCommand) r[1]));
        return out;
    }

    /**
     * PostgreSQL records every answer and hands out the next commands in one statement: the answers as a
     * VALUES list joined to their deliveries by primary key, the hand-out as in {@link #NEXT_POSTGRES},
     * each a data-modifying CTE. Both see the same snapshot, so the hand-out leaves out the commands being
     * answered (they are still SENT in it, and one row must not be updated twice by one statement). Run in
     * a transaction rather than in auto-commit, so that a connection lost on the way is never retried after
     * a commit whose outcome is unknown (a retry would report the recorded answers as repeats).
     */
    static String exchangePostgres(int answers, boolean handOut) {
        StringBuilder sql = new StringBuilder(1024).append("WITH ").append(answersPostgres(answers));
        if (handOut) {
            sql.append(", handed AS (").append(String.format(NEXT_POSTGRES, " AND n.command_id NOT IN (SELECT command_id FROM r)")).append(")");
        }
        sql.append(" SELECT command_id, 0, NULL, NULL, 0, 0 FROM done");
        if (handOut) {
            sql.append(" UNION ALL SELECT command_id, attempts, type, payload, command_seq, 1 FROM handed");
        }
        return sql.toString();
    }

    /** The CTEs {@code r} (the answers, bound by {@link #bindAnswers}) and {@code done} (their deliveries updated, RETURNING command_id). */
    private static String answersPostgres(int answers) {
        StringBuilder sql = new StringBuilder(1024).append("r (command_id, state, status, data, error) AS NOT MATERIALIZED (VALUES ");
        for (int i = 0; i < answers; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?)");
        }
        return sql.append("), done AS (UPDATE command_delivery d SET state = r.state, ")
                .append("completed_at = CASE WHEN r.state = 'QUEUED' THEN d.completed_at ELSE CAST(? AS TIMESTAMP WITH TIME ZONE) END, ")
                .append("result_status = r.status, result_data = CASE WHEN r.state = 'QUEUED' THEN d.result_data ELSE r.data END, ")
                .append("result_error = CASE WHEN r.state = 'QUEUED' THEN d.result_error ELSE r.error END ")
                .append("FROM r WHERE d.device_id = ? AND d.command_id = r.command_id AND d.state IN ('QUEUED', 'SENT') RETURNING d.command_id)")
                .toString();
    }

    private CommandService.Exchange exchangePostgres(Connection c, DeviceId device, Map<CommandId, CommandResult> results, int max, Instant now)
            throws SQLException {
        Map<CommandId, Completion> completions = new LinkedHashMap<>();
        List<Object[]> handed = new ArrayList<>(max);
        try (PreparedStatement p = c.prepareStatement(exchangePostgres(results.size(), max > 0))) {
            int i = bindAnswers(p, 1, device, results, now);
            if (max > 0) {
                bindNext(p, i, device, max, now);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(6) == 0) {
                        CommandId id = new CommandId(UUID.fromString(rs.getString(1)));
                        completions.put(id, results.get(id).outcome() == CommandResult.Outcome.NOT_NOW ? Completion.REQUEUED : Completion.RECORDED);
                    } else {
                        handed.add(handedOut(rs, device, 1));
                    }
                }
            }
        }
        return new CommandService.Exchange(unmatched(c, device, results, completions), inQueueOrder(handed));
    }

    /** Binds the answers' VALUES rows, the completion time and the device of exchangePostgres's first CTEs; the next index. */
    private static int bindAnswers(PreparedStatement p, int from, DeviceId device, Map<CommandId, CommandResult> results, Instant now) throws SQLException {
        if (results.isEmpty()) {
            return from;
        }
        int i = from;
        for (Map.Entry<CommandId, CommandResult> e : results.entrySet()) {
            CommandResult result = e.getValue();
            boolean notNow = result.outcome() == CommandResult.Outcome.NOT_NOW;
            p.setString(i++, e.getKey().toString());
            p.setString(i++, notNow ? DeliveryState.QUEUED.name()
                    : result.outcome() == CommandResult.Outcome.ACKNOWLEDGED ? DeliveryState.ACKNOWLEDGED.name() : DeliveryState.ERROR.name());
            p.setString(i++, result.outcome().name());
            p.setString(i++, notNow ? null : Json.write(result.data()));
            p.setString(i++, notNow ? null : result.error());
        }
        SqlTime.set(p, i++, now);
        p.setString(i++, device.toString());
        return i;
    }

    /** The completions in the order the answers came, those that changed nothing told apart: repeats, or commands never sent. */
    private static Map<CommandId, Completion> unmatched(Connection c, DeviceId device, Map<CommandId, CommandResult> results,
            Map<CommandId, Completion> completions) throws SQLException {
        if (completions.size() < results.size()) {
            // an answer that changed nothing: a repeat of one already recorded, or of a command this device never had
            List<CommandId> unmatched = results.keySet().stream().filter(id -> !completions.containsKey(id)).toList();
            java.util.Set<String> known = new java.util.HashSet<>();
            try (PreparedStatement p = c.prepareStatement("SELECT command_id FROM command_delivery WHERE device_id = ? AND command_id IN ("
                    + placeholders(unmatched.size()) + ")")) {
                p.setString(1, device.toString());
                for (int i = 0; i < unmatched.size(); i++) {
                    p.setString(2 + i, unmatched.get(i).toString());
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        known.add(rs.getString(1));
                    }
                }
            }
            unmatched.forEach(id -> completions.put(id, known.contains(id.toString()) ? Completion.DUPLICATE : Completion.UNKNOWN_COMMAND));
        }
        Map<CommandId, Completion> ordered = new LinkedHashMap<>();
        results.keySet().forEach(id -> ordered.put(id, completions.get(id)));
        return ordered;
    }

    @Override
    public List<PendingCommand> nextFor(DeviceId device, int max, Instant now) {
        // PostgreSQL: one UPDATE ... RETURNING, atomic on its own
        return jdbc.postgres() ? jdbc.single(c -> next(c, device, max, now)) : jdbc.inTransaction(c -> next(c, device, max, now));
    }

    private List<PendingCommand> next(Connection c, DeviceId device, int max, Instant now) throws SQLException {
        return next(c, device, max, now, List.of());
    }

    /** Hands out up to {@code max} commands, none of those in {@code answered} (the answers of the same exchange). */
    private List<PendingCommand> next(Connection c, DeviceId device, int max, Instant now, Collection<CommandId> answered) throws SQLException {
        if (jdbc.postgres()) {
            // answers come through exchangePostgres, which excludes them in the same statement
            List<Object[]> rows = new ArrayList<>(max);
            try (PreparedStatement p = c.prepareStatement(String.format(NEXT_POSTGRES, ""))) {
                bindNext(p, 1, device, max, now);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        rows.add(handedOut(rs, device, 1));
                    }
                }
            }
            return inQueueOrder(rows);
        }
        List<PendingCommand> out = new ArrayList<>(max);
        // H2 would walk the device's whole history through the primary key's device_id prefix
        try (PreparedStatement p = c.prepareStatement("SELECT d.command_id, d.attempts, c.type, c.payload FROM command_delivery d "
                + "USE INDEX (command_delivery_pending) JOIN command c ON c.id = d.command_id WHERE d.device_id = ? AND d.state IN ('QUEUED', 'SENT') "
                + "AND (c.expires_at IS NULL OR c.expires_at > ?)" + (answered.isEmpty() ? "" : " AND d.command_id NOT IN (" + placeholders(answered.size()) + ")")
                + " ORDER BY d.command_seq LIMIT ?")) {
            int i = 1;
            p.setString(i++, device.toString());
            SqlTime.set(p, i++, now);
            for (CommandId id : answered) {
                p.setString(i++, id.toString());
            }
            p.setInt(i, max);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new PendingCommand(new CommandId(UUID.fromString(rs.getString(1))), device, new CommandType(rs.getString(3)),
                            Json.readMap(rs.getString(4)), rs.getInt(2) + 1));
                }
            }
        }
        if (!out.isEmpty()) {
            try (PreparedStatement p = c.prepareStatement("UPDATE command_delivery SET state = 'SENT', attempts = attempts + 1, sent_at = ? "
                    + "WHERE " + deliveryKey + " AND " + stillOpen)) {
                for (PendingCommand pc : out) {
                    SqlTime.set(p, 1, now);
                    p.setString(2, device.toString());
                    p.setString(3, pc.id().toString());
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
        return out;
    }

    @Override
    public Completion complete(DeviceId device, CommandId command, CommandResult result, Instant now) {
        return jdbc.inTransaction(c -> complete(c, device, command, result, now));
    }

    @Override
    public CommandService.Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max, Instant now,
            Function<List<PendingCommand>, Map<String, byte[]>> keep) {
        if (keep == null && results.isEmpty()) {
            // nothing to record: the hand-out alone (on PostgreSQL one statement, without a transaction round trip)
            return new CommandService.Exchange(Map.of(), max > 0 ? nextFor(device, max, now) : List.of());
        }
        if (keep == null) {
            return jdbc.inTransaction(c -> exchange(c, device, results, max, now));
        }
        return jdbc.inTransaction(c -> {
            CommandService.Exchange done = exchange(c, device, results, max, now);
            Map<String, byte[]> values = keep.apply(done.next());
            values.forEach(JdbcDeviceAttributes::check);
            try {
                JdbcDeviceAttributes.write(c, jdbc.postgres(), device, values, now);
            } catch (SQLException e) {
                // not retried on another connection (keep has run): the transaction is rolled back, the caller told
                throw new UnavailableException("the database did not complete the request", e);
            }
            return done;
        });
    }

    @Override
    public CommandService.Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut,
            Map<String, byte[]> keep, Instant now) {
        keep.forEach(JdbcDeviceAttributes::check);
        if (results.isEmpty() && handOut.isEmpty() && keep.isEmpty()) {
            return new CommandService.Exchange(Map.of(), List.of());
        }
        if (jdbc.postgres()) {
            // one statement in auto-commit: the message's whole write in a single round trip. Should the connection die
            // after PostgreSQL committed it and before the answer came, the retry finds the answers recorded (reported
            // as repeats) and hands the same commands out again: nothing stored is lost or doubled.
            return jdbc.single(c -> handOutPostgres(c, device, results, handOut, keep, now));
        }
        return jdbc.inTransaction(c -> {
            CommandService.Exchange answered = exchange(c, device, results, 0, now);
            List<PendingCommand> handed = new ArrayList<>();
            for (CommandId id : handOut) {
                try (PreparedStatement p = c.prepareStatement("UPDATE command_delivery SET state = 'SENT', attempts = attempts + 1, sent_at = ? "
                        + "WHERE " + deliveryKey + " AND " + stillOpen)) {
                    SqlTime.set(p, 1, now);
                    p.setString(2, device.toString());
                    p.setString(3, id.toString());
                    if (p.executeUpdate() == 0) {
                        continue;
                    }
                }
                // command's columns are id, type, payload, ...: the delivery key's bare names are the delivery's
                try (PreparedStatement p = c.prepareStatement("SELECT attempts, type, payload FROM command_delivery JOIN command ON id = command_id "
                        + "WHERE " + deliveryKey)) {
                    p.setString(1, device.toString());
                    p.setString(2, id.toString());
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        handed.add(new PendingCommand(id, device, new CommandType(rs.getString(2)), Json.readMap(rs.getString(3)), rs.getInt(1)));
                    }
                }
            }
            if (handed.size() == handOut.size()) {
                JdbcDeviceAttributes.write(c, false, device, keep, now);
            }
            return new CommandService.Exchange(answered.completions(), handed);
        });
    }

    /**
     * The answers (as {@link #exchangePostgres(int, boolean)} records them), the hand-out of the listed
     * commands and the values to keep, each a data-modifying CTE of one statement; the values are written
     * only if every listed command was handed out (the count of the hand-out's rows is their condition).
     */
    private CommandService.Exchange handOutPostgres(Connection c, DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut,
            Map<String, byte[]> keep, Instant now) throws SQLException {
        List<Map.Entry<String, byte[]>> upserts = keep.entrySet().stream().filter(e -> e.getValue() != null).toList();
        List<String> removals = keep.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        String allHanded = handOut.isEmpty() ? "TRUE" : "(SELECT COUNT(*) FROM handed) = " + handOut.size();
        StringBuilder sql = new StringBuilder(2048);
        List<String> ctes = new ArrayList<>();
        if (!results.isEmpty()) {
            ctes.add(answersPostgres(results.size()));
        }
        if (!handOut.isEmpty()) {
            ctes.add("handed AS (UPDATE command_delivery d SET state = 'SENT', attempts = d.attempts + 1, sent_at = ? FROM command c "
                    + "WHERE c.id = d.command_id AND d.device_id = ? AND d.command_id IN (" + placeholders(handOut.size()) + ") "
                    + "AND d.state IN ('QUEUED', 'SENT') RETURNING d.command_id, d.attempts, c.type, c.payload, d.command_seq)");
        }
        if (!upserts.isEmpty()) {
            ctes.add("kept AS (INSERT INTO device_attribute (device_id, name, content, updated_at) SELECT v.id, k.name, k.content, "
                    + "CAST(? AS TIMESTAMP WITH TIME ZONE) FROM device v, (VALUES " + String.join(", ", java.util.Collections.nCopies(upserts.size(), "(?, ?)"))
                    + ") AS k (name, content) WHERE v.id = ? AND " + allHanded + " ON CONFLICT (device_id, name) DO UPDATE "
                    + "SET content = EXCLUDED.content, updated_at = EXCLUDED.updated_at RETURNING 1)");
        }
        if (!removals.isEmpty()) {
            ctes.add("gone AS (DELETE FROM device_attribute WHERE device_id = ? AND name IN (" + placeholders(removals.size()) + ") AND "
                    + allHanded + " RETURNING 1)");
        }
        sql.append("WITH ").append(String.join(", ", ctes)).append(" SELECT 0, CAST(NULL AS VARCHAR(36)), 0, CAST(NULL AS VARCHAR(255)), "
                + "CAST(NULL AS VARCHAR(1048576)), CAST(0 AS BIGINT)");
        if (!results.isEmpty()) {
            sql.append(" UNION ALL SELECT 1, command_id, 0, NULL, NULL, 0 FROM done");
        }
        if (!handOut.isEmpty()) {
            sql.append(" UNION ALL SELECT 2, command_id, attempts, type, payload, command_seq FROM handed");
        }
        Map<CommandId, Completion> completions = new LinkedHashMap<>();
        List<Object[]> handed = new ArrayList<>(handOut.size());
        try (PreparedStatement p = c.prepareStatement(sql.toString())) {
            int i = bindAnswers(p, 1, device, results, now);
            if (!handOut.isEmpty()) {
                SqlTime.set(p, i++, now);
                p.setString(i++, device.toString());
                for (CommandId id : handOut) {
                    p.setString(i++, id.toString());
                }
            }
            if (!upserts.isEmpty()) {
                SqlTime.set(p, i++, now);
                for (Map.Entry<String, byte[]> e : upserts) {
                    p.setString(i++, e.getKey());
                    p.setString(i++, java.util.Base64.getEncoder().encodeToString(e.getValue()));
                }
                p.setString(i++, device.toString());
            }
            if (!removals.isEmpty()) {
                p.setString(i++, device.toString());
                for (String name : removals) {
                    p.setString(i++, name);
                }
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getInt(1)) {
                        case 1 -> {
                            CommandId id = new CommandId(UUID.fromString(rs.getString(2)));
                            completions.put(id, results.get(id).outcome() == CommandResult.Outcome.NOT_NOW ? Completion.REQUEUED : Completion.RECORDED);
                        }
                        case 2 -> handed.add(handedOut(rs, device, 2));
                        default -> {
                        }
                    }
                }
            }
        }
        return new CommandService.Exchange(unmatched(c, device, results, completions), inQueueOrder(handed));
    }

    private CommandService.Exchange exchange(Connection c, DeviceId device, Map<CommandId, CommandResult> results, int max, Instant now)
            throws SQLException {
        if (results.isEmpty()) {
            return new CommandService.Exchange(Map.of(), max > 0 ? next(c, device, max, now) : List.of());
        }
        if (jdbc.postgres()) {
            return exchangePostgres(c, device, results, max, now);
        }
        Map<CommandId, Completion> completions = new LinkedHashMap<>();
        for (Map.Entry<CommandId, CommandResult> e : results.entrySet()) {
            completions.put(e.getKey(), complete(c, device, e.getKey(), e.getValue(), now));
        }
        return new CommandService.Exchange(completions, max > 0 ? next(c, device, max, now, results.keySet()) : List.of());
    }

    /** One conditional UPDATE in the usual case; only when it changes nothing does a SELECT tell a repeat from an unknown command. */
    private Completion complete(Connection c, DeviceId device, CommandId command, CommandResult result, Instant now) throws SQLException {
        boolean notNow = result.outcome() == CommandResult.Outcome.NOT_NOW;
        int changed;
        if (notNow) {
            try (PreparedStatement p = c.prepareStatement("UPDATE command_delivery SET state = 'QUEUED', result_status = 'NOT_NOW' "
                    + "WHERE " + deliveryKey + " AND " + stillOpen)) {
                p.setString(1, device.toString());
                p.setString(2, command.toString());
                changed = p.executeUpdate();
            }
        } else {
            DeliveryState finalState = result.outcome() == CommandResult.Outcome.ACKNOWLEDGED ? DeliveryState.ACKNOWLEDGED : DeliveryState.ERROR;
            try (PreparedStatement p = c.prepareStatement("UPDATE command_delivery SET state = ?, completed_at = ?, result_status = ?, "
                    + "result_data = ?, result_error = ? WHERE " + deliveryKey + " AND " + stillOpen)) {
                p.setString(1, finalState.name());
                SqlTime.set(p, 2, now);
                p.setString(3, result.outcome().name());
                p.setString(4, Json.write(result.data()));
                p.setString(5, result.error());
                p.setString(6, device.toString());
                p.setString(7, command.toString());
                changed = p.executeUpdate();
            }
        }
        if (changed > 0) {
            return notNow ? Completion.REQUEUED : Completion.RECORDED;
        }
        try (PreparedStatement p = c.prepareStatement("SELECT state FROM command_delivery WHERE " + deliveryKey)) {
            p.setString(1, device.toString());
            p.setString(2, command.toString());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Completion.DUPLICATE : Completion.UNKNOWN_COMMAND;
            }
        }
    }

    @Override
    public long requeueSent(PlatformId platform) {
        return update("UPDATE command_delivery SET state = 'QUEUED' WHERE state = 'SENT' "
                + "AND device_id IN (SELECT id FROM device WHERE platform = ?)", platform.value());
    }

    @Override
    public long expire(Instant now) {
        return jdbc.inTransaction(c -> expire(c, now));
    }

    private static long expire(Connection c, Instant now) throws SQLException {
        OffsetDateTime t = SqlTime.value(now);
        return update(c, "UPDATE command_delivery SET state = 'EXPIRED', completed_at = ? WHERE state IN ('QUEUED', 'SENT') "
                + "AND command_id IN (SELECT id FROM command WHERE expires_at IS NOT NULL AND expires_at <= ?)", t, t);
    }

    /** Advisory lock key of queue housekeeping, shared by every node on the database. */
    static final long HOUSEKEEPING_LOCK = 0x4D726E6748736BL;

    @Override
    public Housekeeping housekeep(Instant now, Instant pruneBefore) {
        return jdbc.inTransaction(c -> {
            if (jdbc.postgres()) {
                // released with the transaction: no lock can outlive a node that dies mid-run
                try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                    p.setLong(1, HOUSEKEEPING_LOCK);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            return new Housekeeping(false, 0, 0);
                        }
                    }
                }
            }
            return new Housekeeping(true, expire(c, now), prune(c, pruneBefore));
        });
    }

    @Override
    public long prune(Instant before) {
        return jdbc.inTransaction(c -> prune(c, before));
    }

    private static long prune(Connection c, Instant before) throws SQLException {
        OffsetDateTime t = SqlTime.value(before);
        long rows = update(c, "DELETE FROM command_delivery WHERE state = 'ACKNOWLEDGED' AND completed_at < ?", t);
        update(c, "DELETE FROM command WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM command_delivery d WHERE d.command_id = command.id)", t);
        return rows;
    }

    private static long update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                p.setObject(i + 1, values[i]);
            }
            return p.executeUpdate();
        }
    }

    private long update(String sql, Object... values) {
        return jdbc.inTransaction(c -> update(c, sql, values));
    }

    @Override
    public void forEachPushTarget(CommandId command, int batchSize, Consumer<List<Device>> batch) {
        String after = "";
        while (true) {
            String from = after;
            List<Device> devices = jdbc.inTransaction(c -> {
                List<Device> out = new ArrayList<>(batchSize);
                try (PreparedStatement p = c.prepareStatement("SELECT " + DeviceRows.COLUMNS + " FROM command_delivery d JOIN device v ON v.id = d.device_id "
                        + "WHERE d.command_id = ? AND d.state = 'QUEUED' AND v.push_valid = TRUE AND v.push_token IS NOT NULL AND v.id > ? "
                        + "ORDER BY v.id LIMIT ?")) {
                    p.setString(1, command.toString());
                    p.setString(2, from);
                    p.setInt(3, batchSize);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(DeviceRows.map(rs));
                        }
                    }
                }
                return out;
            });
            if (devices.isEmpty()) {
                return;
            }
            batch.accept(devices);
            if (devices.size() < batchSize) {
                return;
            }
            after = devices.get(devices.size() - 1).id().toString();
        }
    }

    static List<List<DeviceId>> chunks(Collection<DeviceId> ids) {
        List<DeviceId> all = new ArrayList<>(ids);
        List<List<DeviceId>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return out;
    }

    static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    static void bindIds(PreparedStatement p, int from, List<DeviceId> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            p.setString(from + i, ids.get(i).toString());
        }
    }
}
