package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.auth.Robots;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code entrepot robot create|list|delete} against a real robots file. */
class RobotCommandTest {

    @TempDir
    Path dir;

    @Test
    void createListDelete_keepOnlyTheHash() throws Exception {
        Path config = writeConfig();
        Path robotsFile = dir.resolve("robots.json");

        String[] created = run("robot", "create", config.toString(), "ci", "--description", "release pipeline");
        String secret = created[0].strip();
        String[] listed = run("robot", "list", config.toString());
        int duplicate = Main.run("robot", "create", config.toString(), "robot_ci");
        int invalid = Main.run("robot", "create", config.toString(), "Bad$Name");

        assertThat(secret).hasSize(43);
        assertThat(Robots.load(robotsFile).verify("robot_ci", secret)).isTrue();
        assertThat(Files.readString(robotsFile)).doesNotContain(secret).contains("\"secret_hash\" : \"$2a$10$");
        assertThat(Files.getPosixFilePermissions(robotsFile)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(listed[0]).startsWith("robot_ci\t").endsWith("\trelease pipeline\n");
        assertThat(duplicate).isEqualTo(RobotCommand.EXIT_FAILED);
        assertThat(invalid).isEqualTo(RobotCommand.EXIT_FAILED);

        assertThat(Main.run("robot", "delete", config.toString(), "ci")).isZero();
        assertThat(Robots.load(robotsFile).contains("robot_ci")).isFalse();
        assertThat(Main.run("robot", "delete", config.toString(), "ci")).isEqualTo(RobotCommand.EXIT_FAILED);
    }

    @Test
    void configWithoutRobots_isUsageError() throws Exception {
        Path config = Files.writeString(dir.resolve("plain.yml"), "version: 0.1\nstorage:\n  inmemory:\n");

        assertThat(Main.run("robot", "list", config.toString())).isEqualTo(MaintenanceCommands.EXIT_USAGE);
    }

    private Path writeConfig() throws Exception {
        Path key = Files.writeString(dir.resolve("token.key"), "key");
        return Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                storage:
                  inmemory:
                auth:
                  builtin:
                    service: registry.test
                    issuer: test
                    key: %s
                    robots:
                      path: %s
                """.formatted(key, dir.resolve("robots.json")));
    }

    /** Runs the command line and returns its standard output and standard error. */
    private static String[] run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
