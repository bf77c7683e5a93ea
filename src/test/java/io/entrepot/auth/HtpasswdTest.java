package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.e2e.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class HtpasswdTest {

    @TempDir
    Path dir;

    @Test
    @Tag("external")
    void verify_acceptsHashesFromApacheHtpasswd() throws Exception {
        Path file = dir.resolve("htpasswd");
        htpasswd("-cbB", "-C", "4", file.toString(), "alice", "s3cret pass");
        htpasswd("-bB", "-C", "5", file.toString(), "bob", "ünïcødé");

        Htpasswd users = Htpasswd.load(file);

        assertThat(Files.readString(file)).contains("alice:$2y$04$").contains("bob:$2y$05$");
        assertThat(users.verify("alice", "s3cret pass")).isTrue();
        assertThat(users.verify("bob", "ünïcødé")).isTrue();
        assertThat(users.verify("alice", "s3cret pas")).isFalse();
        assertThat(users.verify("bob", "s3cret pass")).isFalse();
        assertThat(users.verify("carol", "s3cret pass")).isFalse();
    }

    @Test
    void verify_acceptsEveryBcryptVersion() throws Exception {
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        Path file = Files.writeString(dir.resolve("htpasswd"), "a:" + hash + "\nb:" + hash.replace("$2a$", "$2b$")
                + "\n\n# comment\nc:" + hash.replace("$2a$", "$2y$") + "\n");

        Htpasswd users = Htpasswd.load(file);

        assertThat(users.size()).isEqualTo(3);
        assertThat(users.verify("a", "pw")).isTrue();
        assertThat(users.verify("b", "pw")).isTrue();
        assertThat(users.verify("c", "pw")).isTrue();
    }

    @Test
    void verify_cutsPasswordsAfter72Bytes() throws Exception {
        String longPassword = "x".repeat(72);
        Path file = Files.writeString(dir.resolve("htpasswd"), "a:" + BCrypt.hashpw(longPassword, BCrypt.gensalt(4)) + "\n");

        Htpasswd users = Htpasswd.load(file);

        assertThat(users.verify("a", longPassword + "ignored")).isTrue();
        assertThat(users.verify("a", "x".repeat(71))).isFalse();
    }

    @Test
    void load_rejectsOtherHashFormatsNamingUser() throws Exception {
        for (String hash : new String[] {"$apr1$salt$hash", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "plaintext", "abJnggxhB/yWI", "$2y$04$short"}) {
            Path file = Files.writeString(dir.resolve("htpasswd"), "ok:" + BCrypt.hashpw("pw", BCrypt.gensalt(4)) + "\nmallory:" + hash + "\n");

            assertThatThrownBy(() -> Htpasswd.load(file)).as(hash).isInstanceOf(IOException.class)
                    .hasMessageContaining("user mallory").hasMessageContaining("line 2").hasMessageContaining("not bcrypt");
        }
    }

    @Test
    void load_rejectsMalformedAndDuplicateLines() throws Exception {
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        Path noColon = Files.writeString(dir.resolve("a"), "justauser\n");
        Path twice = Files.writeString(dir.resolve("b"), "u:" + hash + "\nu:" + hash + "\n");

        assertThatThrownBy(() -> Htpasswd.load(noColon)).hasMessageContaining("expected user:hash");
        assertThatThrownBy(() -> Htpasswd.load(twice)).hasMessageContaining("user u appears twice");
    }

    private static void htpasswd(String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = ExternalTools.require("htpasswd").toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
