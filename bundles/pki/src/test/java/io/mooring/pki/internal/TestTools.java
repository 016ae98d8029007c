package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * What the PKI tests need from outside the JVM: the protocol corpus beside the project, and openssl.
 * In CI both must be there (a missing one fails); elsewhere a test without them is skipped, saying why.
 */
final class TestTools {
    static final Path CORPUS = Path.of("../../../shared/corpus");

    private TestTools() {
    }

    static Path corpus(String file) {
        Path path = CORPUS.resolve(file);
        if (!Files.exists(path)) {
            unavailable("the protocol corpus file " + path.toAbsolutePath() + " is missing (CI has it beside the project)");
        }
        return path;
    }

    static void requireOpenssl() {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            unavailable("openssl is not installed (.ci/run installs it)");
        }
    }

    private static void unavailable(String reason) {
        if ("true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        Assumptions.abort(reason);
    }

    /** Runs a command in {@code dir} and returns its output; a non-zero exit fails the test. */
    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
