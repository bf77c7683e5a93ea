package io.entrepot.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth.htpasswd}: HTTP Basic credentials checked against an htpasswd file. As in
 * distribution, every authenticated user may do everything; access per project needs the token
 * schemes.
 *
 * <p>The file is read again when its modification time changes, so users can be added or
 * removed without a restart. A file that becomes invalid is logged and the previous users stay
 * in force.
 */
public final class HtpasswdAuthenticator implements Authenticator {

    private static final Logger log = LoggerFactory.getLogger(HtpasswdAuthenticator.class);

    private final Path file;
    private final String challenge;
    private final LoginThrottle throttle;
    private volatile Htpasswd users;
    private volatile FileTime loadedModified;

    /**
     * Reads {@code file} once, so that an invalid file stops start-up.
     *
     * @throws IOException when the file cannot be read or contains a hash that is not bcrypt
     */
    public HtpasswdAuthenticator(String realm, Path file, LoginThrottle throttle) throws IOException {
        this.file = file;
        this.throttle = throttle;
        this.challenge = "Basic realm=\"" + realm + "\"";
        this.loadedModified = Files.getLastModifiedTime(file);
        this.users = Htpasswd.load(file);
    }

    @Override
    public String authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException {
        if (authorization == null || authorization.isBlank()) {
            throw failure(AuthenticationException.Reason.CREDENTIALS_MISSING, "authentication required", null, required);
        }
        String[] credentials = basicCredentials(authorization);
        if (credentials != null && credentials[0].isEmpty() && credentials[1].isEmpty()) {
            // Some clients send Basic with an empty user and password when they have no credentials.
            throw failure(AuthenticationException.Reason.CREDENTIALS_MISSING, "authentication required", null, required);
        }
        String user = credentials == null || credentials[0].isEmpty() ? null : credentials[0];
        // Checked before the password, so that a blocked client costs no bcrypt work.
        if (throttle.blocked(user, clientAddress)) {
            throw failure(AuthenticationException.Reason.TOO_MANY_FAILURES,
                    "too many failed logins; wait a few minutes before trying again", user, required);
        }
        if (user == null) {
            throttle.failed(null, clientAddress);
            throw failure(AuthenticationException.Reason.CREDENTIALS_INVALID, "invalid Authorization header; send Basic credentials", null, required);
        }
        if (!currentUsers().verify(user, credentials[1])) {
            throttle.failed(user, clientAddress);
            throw failure(AuthenticationException.Reason.CREDENTIALS_INVALID, "invalid user name or password", user, required);
        }
        throttle.succeeded(user);
        return user;
    }

    /** Returns {user, password} from a {@code Basic} header, or null when it is not one. */
    private static String[] basicCredentials(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private Htpasswd currentUsers() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(loadedModified)) {
                reload(modified);
            }
        } catch (IOException | UncheckedIOException e) {
            log.atError().addKeyValue("path", file).log("htpasswd file unreadable, so the users read before stay in force: {}", e.getMessage());
        }
        return users;
    }

    private synchronized void reload(FileTime modified) throws IOException {
        if (modified.equals(loadedModified)) {
            return;
        }
        // The time is recorded first so that a broken file is reported once, not on every request.
        loadedModified = modified;
        users = Htpasswd.load(file);
        log.atInfo().addKeyValue("path", file).addKeyValue("users", users.size()).log("htpasswd file reloaded");
    }

    private AuthenticationException failure(AuthenticationException.Reason reason, String message, String user, List<Access> required) {
        return new AuthenticationException(reason, message, user, challenge, required);
    }
}
