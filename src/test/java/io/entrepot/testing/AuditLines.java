package io.entrepot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads an audit log file written by a registry under test, one JSON object a line. */
public final class AuditLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLines() {}

    /** Returns the lines written so far; none when the file does not exist yet. */
    public static List<JsonNode> read(Path file) {
        List<JsonNode> lines = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /**
     * Waits up to five seconds for {@code count} lines and asserts there are exactly that many: a
     * served request is recorded just after its response is sent.
     */
    public static List<JsonNode> await(Path file, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<JsonNode> lines = read(file);
        while (lines.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            lines = read(file);
        }
        assertThat(lines).hasSize(count);
        return lines;
    }
}
