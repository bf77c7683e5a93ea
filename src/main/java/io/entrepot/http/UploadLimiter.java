package io.entrepot.http;

import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.UploadId;
import io.entrepot.registry.UploadSessions.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the upload sessions one user keeps open at once ({@code http.maxuploadsperuser}). An
 * anonymous client is counted by its address.
 *
 * <p>The count is kept per instance, and storage decides which sessions are still open. Each
 * instance remembers the sessions it started, and drops one when it completes or cancels it.
 * A session may also end on another instance that shares the storage, or be purged. So when an
 * owner reaches the limit, the remembered sessions are first checked against storage, and those
 * no longer there are forgotten before the request is rejected. The check costs one or two
 * storage stats per remembered session and runs only at the limit.
 *
 * <p>A shared count in Redis was not chosen, because Redis is optional and the count in it would
 * drift from storage whenever an instance died between its storage write and its Redis update.
 * The consequence of counting per instance is that a user whose POSTs are spread over N instances
 * may hold up to N times the limit.
 *
 * <p>Memory is bounded: an owner never has more remembered sessions than the limit, and when
 * more than {@value #MAX_OWNERS} owners are remembered, every owner is checked against storage
 * and those left with no open session are dropped.
 */
final class UploadLimiter {

    static final int MAX_OWNERS = 10_000;

    /** A session counted against its owner: started here, or a one-request upload still running. */
    private record Session(RepositoryName repository, UploadId id) {}

    private final Registry registry;
    private final int maxPerOwner;
    private final ConcurrentHashMap<String, Map<String, Session>> sessionsByOwner = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> ownerBySession = new ConcurrentHashMap<>();

    /** @param maxPerOwner open sessions allowed per owner, or 0 for no limit */
    UploadLimiter(Registry registry, int maxPerOwner) {
        this.registry = registry;
        this.maxPerOwner = maxPerOwner;
    }

    /** Returns the key an upload is counted under: the user, or the client address when anonymous. */
    static String owner(String user, String clientAddress) {
        return user == null || user.isEmpty() ? "address " + clientAddress : "user " + user;
    }

    /**
     * Starts an upload session with {@code start} unless {@code owner} already has the maximum open.
     *
     * @throws RegistryException with TOOMANYREQUESTS when the owner already has the maximum open
     */
    Status start(String owner, RepositoryName repository, SessionStarter start) throws IOException {
        if (maxPerOwner == 0) {
            return start.start();
        }
        Map<String, Session> sessions = sessionsOf(owner);
        // Serialises the POSTs of one owner, so that two of them cannot both take the last slot.
        synchronized (sessions) {
            reserve(owner, sessions);
            Status status = start.start();
            String key = key(repository, status.id());
            sessions.put(key, new Session(repository, status.id()));
            ownerBySession.put(key, owner);
            return status;
        }
    }

    /**
     * Runs a one-request upload ({@code POST ?digest=}) counted as an open session while it runs.
     *
     * @throws RegistryException with TOOMANYREQUESTS when the owner already has the maximum open
     */
    <T> T whole(String owner, Upload<T> upload) throws IOException {
        if (maxPerOwner == 0) {
            return upload.run();
        }
        Map<String, Session> sessions = sessionsOf(owner);
        String key = "running " + java.util.UUID.randomUUID();
        synchronized (sessions) {
            reserve(owner, sessions);
            sessions.put(key, new Session(null, null));
        }
        try {
            return upload.run();
        } finally {
            synchronized (sessions) {
                sessions.remove(key);
            }
        }
    }

    /** Forgets a session that this instance completed or cancelled. */
    void ended(RepositoryName repository, UploadId id) {
        String key = key(repository, id);
        String owner = ownerBySession.remove(key);
        if (owner == null) {
            return;
        }
        Map<String, Session> sessions = sessionsByOwner.get(owner);
        if (sessions != null) {
            synchronized (sessions) {
                sessions.remove(key);
            }
        }
    }

    /** Returns how many sessions are counted against {@code owner}, for tests. */
    int count(String owner) {
        Map<String, Session> sessions = sessionsByOwner.get(owner);
        if (sessions == null) {
            return 0;
        }
        synchronized (sessions) {
            return sessions.size();
        }
    }

    private Map<String, Session> sessionsOf(String owner) throws IOException {
        if (sessionsByOwner.size() >= MAX_OWNERS) {
            sweep();
        }
        return sessionsByOwner.computeIfAbsent(owner, ignored -> new LinkedHashMap<>());
    }

    /** Makes room for one more session, or throws TOOMANYREQUESTS. Called with {@code sessions} locked. */
    private void reserve(String owner, Map<String, Session> sessions) throws IOException {
        if (sessions.size() >= maxPerOwner) {
            forgetEnded(sessions);
        }
        if (sessions.size() >= maxPerOwner) {
            throw new RegistryException(ErrorCode.TOOMANYREQUESTS, owner + " has " + sessions.size()
                    + " open upload sessions, the maximum set by http.maxuploadsperuser (" + maxPerOwner
                    + "); complete or cancel one before starting another");
        }
    }

    /** Forgets the sessions that storage no longer has: completed or cancelled elsewhere, or purged. */
    private void forgetEnded(Map<String, Session> sessions) throws IOException {
        List<String> ended = new ArrayList<>();
        for (Map.Entry<String, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            if (session.id() != null && !stillOpen(session)) {
                ended.add(entry.getKey());
            }
        }
        for (String key : ended) {
            sessions.remove(key);
            ownerBySession.remove(key);
        }
    }

    private boolean stillOpen(Session session) throws IOException {
        try {
            registry.uploads().status(session.repository(), session.id());
            return true;
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.BLOB_UPLOAD_UNKNOWN) {
                return false;
            }
            throw e;
        }
    }

    /** Checks every owner against storage and drops those left with nothing open. */
    private synchronized void sweep() throws IOException {
        if (sessionsByOwner.size() < MAX_OWNERS) {
            return;
        }
        for (Map.Entry<String, Map<String, Session>> entry : sessionsByOwner.entrySet()) {
            Map<String, Session> sessions = entry.getValue();
            synchronized (sessions) {
                forgetEnded(sessions);
                if (sessions.isEmpty()) {
                    sessionsByOwner.remove(entry.getKey(), sessions);
                }
            }
        }
    }

    private static String key(RepositoryName repository, UploadId id) {
        return repository + "@" + id;
    }

    /** Starts one upload session in storage. */
    @FunctionalInterface
    interface SessionStarter {
        Status start() throws IOException;
    }

    /** Runs a whole upload in one request. */
    @FunctionalInterface
    interface Upload<T> {
        T run() throws IOException;
    }
}
