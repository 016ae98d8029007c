package io.mooring.platform.windows.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * The protocol corpus beside the project (Microsoft's sample messages) and the outside tools tests check
 * Mooring against. In CI both must be there and a missing one fails; elsewhere a test without them is
 * skipped, saying why.
 */
final class Corpus {
    static final Path ROOT = Path.of("../../../shared/corpus");

    private Corpus() {
    }

    /** A file or folder of the corpus, e.g. {@code windows-mde2/msdocs-onprem/01-discovery-request.xml}. */
    static Path path(String relative) {
        Path path = ROOT.resolve(relative);
        if (!Files.exists(path)) {
            unavailable("the protocol corpus entry " + path.toAbsolutePath().normalize() + " is missing (CI has it beside the project)");
        }
        return path;
    }

    static byte[] bytes(String relative) throws IOException {
        return Files.readAllBytes(path(relative));
    }

    static String text(String relative) throws IOException {
        return Files.readString(path(relative));
    }

    /** libwbxml's xml2wbxml and wbxml2xml (Debian libwbxml2-utils) are the outside WBXML implementation; CI installs them. */
    static void requireWbxmlTools() {
        for (String tool : new String[] {"xml2wbxml", "wbxml2xml"}) {
            try {
                Process p = new ProcessBuilder(tool).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor();
            } catch (IOException e) {
                unavailable(tool + " is not installed (Debian package libwbxml2-utils)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable("interrupted while looking for " + tool);
            }
        }
    }

    private static void unavailable(String reason) {
        if ("true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        Assumptions.abort(reason);
    }
}
