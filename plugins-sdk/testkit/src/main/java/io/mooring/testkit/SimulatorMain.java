package io.mooring.testkit;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The simulator as a command-line tool: enrolls a fleet of example devices, runs check-in rounds and
 * prints what happened. Exits 0 when every call got the answer the protocol expects (503 "try later"
 * included), 1 when some did not, 2 on a usage error.
 */
public final class SimulatorMain {
    static final int OK = 0;
    static final int FAILURES = 1;
    static final int USAGE = 2;

    /** Read when --token is absent, so the secret need not appear in the process list. */
    static final String TOKEN_VARIABLE = "MOORING_ENROLLMENT_TOKEN";

    private static final Set<String> OPTIONS = Set.of("--url", "--token", "--devices", "--rounds", "--interval-ms",
            "--threads", "--not-now-probability", "--seed");

    private static final String USAGE_TEXT = """
            Usage: java -jar mooring-testkit-<version>-cli.jar --token <enrollment token> [options]
              --url URL                    server base URL (default http://127.0.0.1:8181)
              --token TOKEN                enrollment token for the example platform
                                           (default: the %s environment variable)
              --devices N                  devices to simulate (default 1)
              --rounds M                   check-in rounds (default 1)
              --interval-ms X              pause between rounds in milliseconds (default 1000)
              --threads T                  devices checking in at the same time (default 4)
              --not-now-probability P      chance a device defers a command once, 0 to 1 (default 0)
              --seed S                     seed for the NOT_NOW choices (default 1)
            """.formatted(TOKEN_VARIABLE);

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) throws InterruptedException {
        Settings settings;
        try {
            settings = Settings.parse(args, environment);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        if (settings == null) {
            out.print(USAGE_TEXT);
            return OK;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (DeviceFleet fleet = new DeviceFleet(http, settings.url(), settings.devices(), settings.threads(),
                settings.notNowProbability(), settings.seed())) {
            int enrolled = fleet.enrollAll(settings.token());
            out.printf("Enrolled %d of %d devices at %s%n", enrolled, settings.devices(), settings.url());
            fleet.devices().stream()
                    .filter(device -> !device.isEnrolled())
                    .findFirst()
                    .ifPresent(device -> err.println("Enrollment of " + device.serialNumber() + " failed: " + describe(device)));
            DeviceFleet.Report report = enrolled == 0
                    ? fleet.report()
                    : fleet.run(settings.rounds(), Duration.ofMillis(settings.intervalMillis()));
            print(report, out);
            return report.failures() == 0 ? OK : FAILURES;
        }
    }

    private static String describe(ExampleDevice device) {
        return device.exchanges().stream()
                .filter(exchange -> exchange.call() == ExampleDevice.Call.ENROLL)
                .reduce((first, second) -> second)
                .map(exchange -> exchange.answered()
                        ? "HTTP " + exchange.status() + exchange.error().map(error -> " (" + error + ")").orElse("")
                        : "no answer from the server")
                .orElse("not attempted");
    }

    private static void print(DeviceFleet.Report report, PrintStream out) {
        Tally tally = report.tally();
        out.printf("Rounds: %d, check-ins: %d, answered 503 (try later): %d%n", report.rounds(), tally.checkIns(), tally.unavailable());
        out.printf("Commands received: %d, acknowledged: %d, not now: %d, errors: %d%n",
                tally.commandsReceived(), tally.acknowledged(), tally.notNow(), tally.errors());
        out.printf("Devices wiped: %d, unenrolled by the server: %d%n", report.wiped(), report.revoked());
        out.printf("Failures: %d (enrollment: %d, calls: %d)%n", report.failures(), report.enrollmentFailures(), tally.failures());
    }

    record Settings(URI url, String token, int devices, int rounds, long intervalMillis, int threads, double notNowProbability, long seed) {
        /** The settings, or null when help was asked for. */
        static Settings parse(String[] args, Map<String, String> environment) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--help") || args[i].equals("-h")) {
                    return null;
                }
                if (!OPTIONS.contains(args[i])) {
                    throw new IllegalArgumentException("Unknown option " + args[i]);
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                given.put(args[i], args[++i]);
            }
            String token = given.getOrDefault("--token", environment.get(TOKEN_VARIABLE));
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("An enrollment token is required: --token or " + TOKEN_VARIABLE);
            }
            double notNow = number(given, "--not-now-probability", "0");
            if (notNow < 0 || notNow > 1) {
                throw new IllegalArgumentException("--not-now-probability must be between 0 and 1");
            }
            return new Settings(url(given.getOrDefault("--url", "http://127.0.0.1:8181")), token,
                    (int) whole(given, "--devices", 1, 1, 100_000),
                    (int) whole(given, "--rounds", 1, 1, 1_000_000),
                    whole(given, "--interval-ms", 1000, 0, 3_600_000),
                    (int) whole(given, "--threads", 4, 1, 256),
                    notNow,
                    whole(given, "--seed", 1, Long.MIN_VALUE, Long.MAX_VALUE));
        }

        private static URI url(String text) {
            URI url;
            try {
                url = URI.create(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--url is not a URL: " + text);
            }
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("--url must be an http or https URL such as http://127.0.0.1:8181");
            }
            return url;
        }

        private static long whole(Map<String, String> given, String option, long absent, long min, long max) {
            if (!given.containsKey(option)) {
                return absent;
            }
            try {
                long value = Long.parseLong(given.get(option));
                if (value < min || value > max) {
                    throw new IllegalArgumentException(option + " must be from " + min + " to " + max);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a whole number, got " + given.get(option));
            }
        }

        private static double number(Map<String, String> given, String option, String absent) {
            try {
                return Double.parseDouble(given.getOrDefault(option, absent));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a number, got " + given.get(option));
            }
        }
    }
}
