package io.mooring.platform.apple.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The protocol corpus beside the project (Apple's schema, captured commands). In CI it must be there and
 * a missing file fails; elsewhere a test without it is skipped, saying why.
 */
final class Corpus {
    static final Path ROOT = Path.of("../../../shared/corpus");

    private Corpus() {
    }

    /** A file or folder of the corpus, e.g. {@code apple-device-management/mdm/commands}. */
    static Path path(String relative) {
        Path path = ROOT.resolve(relative);
        if (!Files.exists(path)) {
            String reason = "the protocol corpus entry " + path.toAbsolutePath().normalize()
                    + " is missing (CI has it beside the project)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        return path;
    }

    /** plistutil (Debian libplist-utils) turns corpus captures into binary plists; CI installs it. */
    static void requirePlistutil() {
        try {
            Process p = new ProcessBuilder("plistutil", "-h").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (java.io.IOException | InterruptedException e) {
            String reason = "plistutil is not installed (Debian package libplist-utils)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
    }
}
