package io.entrepot.config;

import java.net.URI;
import java.nio.file.Path;

/** One identity backend of {@code auth.builtin}: where the built-in token server checks user names and passwords. */
public sealed interface IdentityBackendConfig {

    /** {@code auth.builtin.htpasswd}: users of an htpasswd file of bcrypt hashes. */
    record Htpasswd(Path path) implements IdentityBackendConfig {}

    /** {@code auth.builtin.robots}: robot accounts of a file managed with {@code entrepot robot}; the file may not exist yet. */
    record Robots(Path path) implements IdentityBackendConfig {}

    /**
     * {@code auth.builtin.ldap}: users of an LDAP directory.
     *
     * @param url {@code ldap://host[:port]} or {@code ldaps://host[:port]}
     * @param startTls whether to upgrade an {@code ldap://} connection with StartTLS
     * @param caCert PEM certificates that may sign the server's certificate, or null for the JDK's CAs
     * @param bindDn the service account that searches users and groups, or null to search anonymously
     * @param bindPassword the service account's password, or null
     * @param userBase where users are searched
     * @param userFilter the filter that finds a user, {@code %s} being the escaped user name
     * @param groupBase where groups are searched, or null to read no groups
     * @param groupFilter the filter that finds a user's groups, {@code %s} being the user's DN and {@code %u} the user name
     * @param groupAttribute the attribute that contains a group's name
     */
    record Ldap(URI url, boolean startTls, Path caCert, String bindDn, String bindPassword, String userBase, String userFilter,
            String groupBase, String groupFilter, String groupAttribute) implements IdentityBackendConfig {

        public static final String DEFAULT_USER_FILTER = "(uid=%s)";
        public static final String DEFAULT_GROUP_FILTER = "(member=%s)";
        public static final String DEFAULT_GROUP_ATTRIBUTE = "cn";

        /** Leaves the service account's password out, so that a logged configuration never shows it. */
        @Override
        public String toString() {
            return "Ldap[url=" + url + ", startTls=" + startTls + ", caCert=" + caCert + ", bindDn=" + bindDn + ", userBase=" + userBase
                    + ", userFilter=" + userFilter + ", groupBase=" + groupBase + ", groupFilter=" + groupFilter
                    + ", groupAttribute=" + groupAttribute + "]";
        }
    }
}
