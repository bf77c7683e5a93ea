package io.entrepot.auth;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.entrepot.tls.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users of an LDAP directory, for the built-in token server.
 *
 * <p>A login opens one connection and takes four steps: bind as the service account, search
 * {@code userBase} for the one entry that {@code userFilter} matches, bind as that entry with the
 * password, then bind as the service account again and read the names of the groups that
 * {@code groupFilter} finds under {@code groupBase}. A connection per login costs a TCP and TLS
 * handshake, which is small beside the token lifetime of minutes that each login buys, and it
 * leaves no pooled connection to go stale behind a firewall.
 *
 * <p>An empty password fails without asking the server: LDAP reads a simple bind with a DN and
 * no password as an unauthenticated bind, which succeeds on many servers (RFC 4513 section 5.1.2).
 * Passwords are never logged.
 */
public final class LdapBackend implements IdentityBackend {

    private static final Logger log = LoggerFactory.getLogger(LdapBackend.class);

    /** Connect and response timeout; a directory that takes longer is treated as down rather than holding the login. */
    private static final int TIMEOUT_MILLIS = 10_000;

    /**
     * Settings to reach and search the directory.
     *
     * @param url {@code ldap://host[:port]} or {@code ldaps://host[:port]}
     * @param startTls whether to upgrade an {@code ldap://} connection with StartTLS
     * @param caCert PEM certificates that may sign the server's certificate, or null to trust the JDK's CAs
     * @param bindDn the service account that searches, or null to search without binding
     * @param bindPassword the service account's password, or null
     * @param userBase the DN under which users are searched
     * @param userFilter the filter that finds a user, with {@code %s} for the escaped user name
     * @param groupBase the DN under which groups are searched, or null to read no groups
     * @param groupFilter the filter that finds a user's groups, with {@code %s} for the user's DN and
     *     {@code %u} for the user name, both escaped
     * @param groupAttribute the attribute of a group entry that contains its name
     */
    public record Settings(URI url, boolean startTls, Path caCert, String bindDn, String bindPassword, String userBase,
            String userFilter, String groupBase, String groupFilter, String groupAttribute) {

        /** Leaves the service account's password out, so that a logged record never shows it. */
        @Override
        public String toString() {
            return "LdapBackend.Settings[url=" + url + ", startTls=" + startTls + ", bindDn=" + bindDn + ", userBase=" + userBase
                    + ", userFilter=" + userFilter + ", groupBase=" + groupBase + ", groupFilter=" + groupFilter + "]";
        }
    }

    private final Settings settings;
    private final SSLContext tls;

    /**
     * @throws IOException when the CA certificate file cannot be read
     */
    public LdapBackend(Settings settings) throws IOException {
        this.settings = settings;
        this.tls = ldaps() || settings.startTls() ? tlsContext(settings.caCert()) : null;
        if (tls == null) {
            log.atWarn().addKeyValue("url", settings.url())
                    .log("LDAP without TLS sends passwords in clear text; use ldaps:// or starttls");
        }
    }

    @Override
    public String name() {
        return "ldap";
    }

    @Override
    public boolean accepts(String user) {
        return !Robots.isRobotName(user);
    }

    @Override
    public Optional<Principal> authenticate(String user, String password) throws IOException {
        if (password.isEmpty() || user.isEmpty()) {
            return Optional.empty();
        }
        try (LDAPConnection connection = connect()) {
            bindServiceAccount(connection);
            String dn = findUser(connection, user);
            if (dn == null) {
                return Optional.empty();
            }
            if (!passwordMatches(connection, dn, password)) {
                log.atDebug().addKeyValue("user", user).addKeyValue("dn", dn).log("LDAP server rejected the bind with the user's password");
                return Optional.empty();
            }
            bindServiceAccount(connection);
            return Optional.of(new Principal(user, Principal.Kind.USER, groups(connection, user, dn)));
        } catch (LDAPException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Principal> lookup(String user) throws IOException {
        if (user.isEmpty()) {
            return Optional.empty();
        }
        try (LDAPConnection connection = connect()) {
            bindServiceAccount(connection);
            String dn = findUser(connection, user);
            return dn == null ? Optional.empty() : Optional.of(new Principal(user, Principal.Kind.USER, groups(connection, user, dn)));
        } catch (LDAPException e) {
            throw unavailable(e);
        }
    }

    private boolean ldaps() {
        return "ldaps".equalsIgnoreCase(settings.url().getScheme());
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(TIMEOUT_MILLIS);
        options.setResponseTimeoutMillis(TIMEOUT_MILLIS);
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        String host = settings.url().getHost();
        int port = settings.url().getPort() > 0 ? settings.url().getPort() : (ldaps() ? 636 : 389);
        if (ldaps()) {
            return new LDAPConnection(tls.getSocketFactory(), options, host, port);
        }
        LDAPConnection connection = new LDAPConnection(options, host, port);
        if (settings.startTls()) {
            try {
                ExtendedResult result = connection.processExtendedOperation(new StartTLSExtendedRequest(tls));
                if (result.getResultCode() != ResultCode.SUCCESS) {
                    throw new LDAPException(result.getResultCode(), "StartTLS rejected by the server: " + result.getDiagnosticMessage());
                }
            } catch (LDAPException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    private void bindServiceAccount(LDAPConnection connection) throws LDAPException {
        if (settings.bindDn() != null) {
            connection.bind(new SimpleBindRequest(settings.bindDn(), settings.bindPassword() == null ? "" : settings.bindPassword()));
        }
    }

    /** Returns the DN of the one entry the user filter matches, or null when none does. */
    private String findUser(LDAPConnection connection, String user) throws LDAPException {
        Filter filter = Filter.create(settings.userFilter().replace("%s", Filter.encodeValue(user)));
        SearchRequest request = new SearchRequest(settings.userBase(), SearchScope.SUB, filter, SearchRequest.NO_ATTRIBUTES);
        request.setSizeLimit(2);
        SearchResult result;
        try {
            result = connection.search(request);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                log.atWarn().addKeyValue("user", user).addKeyValue("filter", filter)
                        .log("LDAP user filter matches several entries, so the login is refused; make userfilter match one entry per user");
                return null;
            }
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return null;
            }
            throw e;
        }
        List<SearchResultEntry> entries = result.getSearchEntries();
        if (entries.size() > 1) {
            log.atWarn().addKeyValue("user", user).addKeyValue("filter", filter)
                    .log("LDAP user filter matches several entries, so the login is refused; make userfilter match one entry per user");
            return null;
        }
        return entries.isEmpty() ? null : entries.get(0).getDN();
    }

    private static boolean passwordMatches(LDAPConnection connection, String dn, String password) throws LDAPException {
        BindRequest bind = new SimpleBindRequest(dn, password);
        try {
            connection.bind(bind);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    private Set<String> groups(LDAPConnection connection, String user, String dn) throws LDAPException {
        if (settings.groupBase() == null) {
            return Set.of();
        }
        String filterText = settings.groupFilter().replace("%s", Filter.encodeValue(dn)).replace("%u", Filter.encodeValue(user));
        SearchRequest request = new SearchRequest(settings.groupBase(), SearchScope.SUB, Filter.create(filterText), settings.groupAttribute());
        Set<String> groups = new LinkedHashSet<>();
        for (SearchResultEntry entry : connection.search(request).getSearchEntries()) {
            String name = entry.getAttributeValue(settings.groupAttribute());
            if (name != null) {
                groups.add(name);
            }
        }
        return groups;
    }

    private IOException unavailable(LDAPException e) {
        log.atError().addKeyValue("url", settings.url()).addKeyValue("result_code", e.getResultCode().getName())
                .log("LDAP request failed: {}", e.getExceptionMessage());
        return new IOException("LDAP server " + settings.url() + " failed: " + e.getResultCode().getName(), e);
    }

    private static SSLContext tlsContext(Path caCert) throws IOException {
        try {
            TrustManager[] trustManagers;
            if (caCert == null) {
                trustManagers = new TrustManager[] {JVMDefaultTrustManager.getInstance()};
            } else {
                KeyStore trusted = PemFiles.trustStore(List.of(caCert));
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trusted);
                trustManagers = factory.getTrustManagers();
            }
            return new SSLUtil(trustManagers).createSSLContext();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for LDAP with " + (caCert == null ? "the JDK's CAs" : caCert) + ": " + e.getMessage(), e);
        }
    }
}
