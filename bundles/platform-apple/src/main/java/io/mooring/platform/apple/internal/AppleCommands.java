package io.mooring.platform.apple.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;

import io.mooring.api.PendingCommand;
import io.mooring.platform.apple.internal.CommandSchema.PayloadKey;
import io.mooring.platform.apple.internal.CommandSchema.ValueType;

/**
 * A queued command as the plist Apple's device expects: {@code {CommandUUID, Command: {RequestType, ...}}}.
 * The payload was validated against the schema when it was queued; here each value takes the plist type
 * the schema gives its key ({@code <data>} from base64, {@code <date>} from ISO-8601, integers as integers).
 */
final class AppleCommands {
    /** What DeviceInformation asks when an admin names no queries: what inventory shows. */
    static final List<String> DEFAULT_QUERIES = List.of("UDID", "DeviceName", "OSVersion", "BuildVersion", "ModelName", "Model",
            "ProductName", "SerialNumber", "DeviceCapacity", "AvailableDeviceCapacity", "BatteryLevel", "IsSupervised", "IMEI", "MEID",
            "WiFiMAC", "BluetoothMAC", "IsActivationLockEnabled", "IsDeviceLocatorServiceEnabled", "IsMDMLostModeEnabled");

    private final CommandSchema schema;

    AppleCommands(CommandSchema schema) {
        this.schema = schema;
    }

    NSDictionary encode(PendingCommand pending) {
        String requestType = pending.type().name();
        List<PayloadKey> keys = schema.command(requestType).map(CommandSchema.Command::keys).orElse(List.of());
        NSDictionary command = new NSDictionary();
        command.put("RequestType", requestType);
        pending.payload().forEach((k, v) -> command.put(k, value(v, find(keys, k))));
        if ("DeviceInformation".equals(requestType) && !command.containsKey("Queries")) {
            command.put("Queries", new NSArray(DEFAULT_QUERIES.stream().map(NSString::new).toArray(NSObject[]::new)));
        }
        NSDictionary root = new NSDictionary();
        root.put("CommandUUID", pending.id().toString().toUpperCase(java.util.Locale.ROOT));
        root.put("Command", command);
        return root;
    }

    private static Optional<PayloadKey> find(List<PayloadKey> keys, String name) {
        return keys.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    private static NSObject value(Object v, Optional<PayloadKey> key) {
        ValueType type = key.map(PayloadKey::type).orElse(ValueType.ANY);
        List<PayloadKey> subkeys = key.map(PayloadKey::subkeys).orElse(List.of());
        switch (type) {
            case DATA:
                if (v instanceof String s) {
                    return new NSData(Base64.getDecoder().decode(s));
                }
                break;
            case DATE:
                if (v instanceof String s) {
                    return new NSDate(Date.from(Instant.parse(s)));
                }
                break;
            case REAL:
                if (v instanceof Number n) {
                    return new NSNumber(n.doubleValue());
                }
                break;
            case INTEGER:
                if (v instanceof Number n) {
                    return new NSNumber(new BigDecimal(n.toString()).longValueExact());
                }
                break;
            default:
                break;
        }
        if (v instanceof Map<?, ?> m) {
            NSDictionary d = new NSDictionary();
            m.forEach((k, x) -> d.put(String.valueOf(k), value(x, find(subkeys, String.valueOf(k)))));
            return d;
        }
        if (v instanceof List<?> l) {
            // an array's items are described by its one subkey (or by a dictionary per kind, e.g. Settings)
            Optional<PayloadKey> item = subkeys.size() == 1 ? Optional.of(subkeys.get(0)) : Optional.empty();
            NSObject[] items = new NSObject[l.size()];
            for (int i = 0; i < l.size(); i++) {
                Object x = l.get(i);
                items[i] = item.isPresent() || !(x instanceof Map<?, ?>) ? value(x, item) : value(x, Optional.of(
                        new PayloadKey("item", ValueType.DICTIONARY, false, List.of(), subkeysOfKind(subkeys, (Map<?, ?>) x))));
            }
            return new NSArray(items);
        }
        return Plists.fromJava(v, null);
    }

    /** For arrays of dictionaries of several kinds: the subkeys of all kinds together (names do not clash in Apple's schema). */
    private static List<PayloadKey> subkeysOfKind(List<PayloadKey> kinds, Map<?, ?> item) {
        return kinds.stream().flatMap(k -> k.subkeys().stream()).toList();
    }
}
