package io.entrepot.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth.htpasswd}: HTTP Basic credentials checked against an htpasswd file, then the
 * request checked against an {@link AccessPolicy}. Without an {@code access} section the policy
 * is distribution's: every authenticated user may do everything.
 *
 * <p>A request without credentials proceeds as {@link Principal#ANONYMOUS} when the policy grants
 * it everything it needs, as a project with anonymous pull does. {@code GET /v2/} requires no
 * access, so it always challenges an anonymous client: clients learn there that the registry
 * takes Basic credentials, and those that have none go on without them.
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
    private final AccessPolicy policy;
    private volatile Htpasswd users;
    private volatile FileTime loadedModified;

    /**
     * Reads {@code file} once, so that an invalid file stops start-up.
     *
     * @throws IOException when the file cannot be read or contains a hash that is not bcrypt
     */
    public HtpasswdAuthenticator(String realm, Path file, LoginThrottle throttle) throws IOException {
        this(realm, file, throttle, AccessPolicy.AUTHENTICATED_ALL);
    }

    /**
     * Reads {@code file} once, so that an invalid file stops start-up, and checks each request
     * against {@code policy}.
     *
     * @throws IOException when the file cannot be read or contains a hash that is not bcrypt
     */
    public HtpasswdAuthenticator(String realm, Path file, LoginThrottle throttle, AccessPolicy policy) throws IOException {
        this.file = file;
        this.throttle = throttle;
        this.policy = policy;
        this.challenge = "Basic realm=\"" + realm + "\"";
        this.loadedModified = Files.getLastModifiedTime(file);
        this.users = Htpasswd.load(file);
    }

    @Override
    public Principal authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException {
        String[] credentials = authorization == null || authorization.isBlank() ? null : basicCredentials(authorization);
        boolean anonymous = authorization == null || authorization.isBlank()
                // skopeo and podman send Basic with an empty user and password when they have no credentials.
                || (credentials != null && credentials[0].isEmpty() && credentials[1].isEmpty());
        if (anonymous) {
            return anonymous(required);
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

        Principal principal = Principal.user(user);
        checkPolicy(principal, required);
        return principal;
    }

    @Override
    public Optional<AccessPolicy> policy() {
        return Optional.of(policy);
    }

    /** Lets a request without credentials through when the policy grants all it needs to anonymous clients. */
    private Principal anonymous(List<Access> required) throws AuthenticationException {
        if (required.isEmpty() || !policy.permits(Principal.ANONYMOUS, required)) {
            throw failure(AuthenticationException.Reason.CREDENTIALS_MISSING, "authentication required", null, required);
        }
        return Principal.ANONYMOUS;
    }

    private void checkPolicy(Principal principal, List<Access> required) throws AuthenticationException {
        List<Access> missing = new ArrayList<>(required);
        missing.removeAll(policy.granted(principal, required));
        if (missing.isEmpty()) {
            return;
        }
        throw failure(AuthenticationException.Reason.ACCESS_DENIED,
                "user " + principal.name() + " may not " + describe(missing.get(0)), principal.name(), required);
    }

    /** Describes an access for a denial message, such as {@code push to repository team-b/app}. */
    private static String describe(Access access) {
        if (!access.type().equals("repository")) {
            return access.action() + " on " + access.type() + " " + access.name();
        }
        String verb = switch (access.action()) {
            case "pull" -> "pull from";
            case "push" -> "push to";
            case "delete" -> "delete from";
            default -> access.action() + " on";
        };
        return verb + " repository " + access.name();
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
