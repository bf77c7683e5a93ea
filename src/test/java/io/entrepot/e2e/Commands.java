package io.entrepot.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short-lived external commands (skopeo, umoci) and fails the test when one fails. */
final class Commands {

    private Commands() {}

    /**
     * Runs {@code command} to completion and returns its standard output.
     *
     * <p>Standard output and error go to temporary files rather than pipes, so a command that
     * writes a lot cannot block on a full pipe. The test fails, with the command line, exit code
     * and standard error in the message, when the command exits non-zero or outlives
     * {@code timeout}, in which case it is killed.
     */
    static byte[] run(Duration timeout, List<String> command) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("entrepot-cmd-", ".out");
            stderr = Files.createTempFile("entrepot-cmd-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();

            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                fail("timed out after " + timeout + ": " + String.join(" ", command)
                        + "\nstderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            if (process.exitValue() != 0) {
                fail("exit code " + process.exitValue() + ": " + String.join(" ", command)
                        + "\nstderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    static byte[] run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temporary file does not affect the test result.
        }
    }
}
