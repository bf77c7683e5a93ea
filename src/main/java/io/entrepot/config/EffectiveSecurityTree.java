package io.entrepot.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the {@code auth} and {@code access} sections of the effective configuration tree: the
 * values each scheme runs with, defaults included. Secrets such as an LDAP {@code bindpassword}
 * stay as written here, and {@link ConfigPrinter} masks them. Keys that Entrepot rejects or
 * ignores stay as written too.
 */
final class EffectiveSecurityTree {

    private EffectiveSecurityTree() {}

    static void put(ObjectNode tree, AuthConfig auth, AccessConfig access) {
        if (!(auth instanceof AuthConfig.None)) {
            ObjectNode authNode = EffectiveTree.object(tree, "auth");
            switch (auth) {
                case AuthConfig.None none -> { }
                case AuthConfig.Htpasswd htpasswd -> putHtpasswd(EffectiveTree.object(authNode, "htpasswd"), htpasswd);
                case AuthConfig.Token token -> putToken(EffectiveTree.object(authNode, "token"), token);
                case AuthConfig.Builtin builtin -> putBuiltin(EffectiveTree.object(authNode, "builtin"), builtin);
            }
        }
        if (access.enabled()) {
            putAccess(tree.putObject("access"), access);
        }
    }

    private static void putHtpasswd(ObjectNode node, AuthConfig.Htpasswd htpasswd) {
        node.put("realm", htpasswd.realm());
        node.put("path", htpasswd.path().toString());
        node.put("maxfailures", htpasswd.maxFailures());
        node.put("failurewindow", GoDuration.format(htpasswd.failureWindow()));
    }

    private static void putToken(ObjectNode node, AuthConfig.Token token) {
        node.put("realm", token.realm());
        node.put("service", token.service());
        node.put("issuer", token.issuer());
        if (token.rootCertBundle() != null) {
            node.put("rootcertbundle", token.rootCertBundle().toString());
        }
        if (token.jwks() != null) {
            node.put("jwks", token.jwks().toString());
        }
    }

    /** Writes {@code auth.builtin} with its backends in the order they are tried. */
    private static void putBuiltin(ObjectNode node, AuthConfig.Builtin builtin) {
        if (builtin.realm() != null) {
            node.put("realm", builtin.realm());
        }
        node.put("service", builtin.service());
        node.put("issuer", builtin.issuer());
        node.put("key", builtin.key().toString());
        node.put("expiration", GoDuration.format(builtin.expiration()));
        node.put("refreshexpiration", GoDuration.format(builtin.refreshExpiration()));
        node.put("maxfailures", builtin.maxFailures());
        node.put("failurewindow", GoDuration.format(builtin.failureWindow()));
        for (IdentityBackendConfig backend : builtin.backends()) {
            switch (backend) {
                case IdentityBackendConfig.Htpasswd htpasswd -> EffectiveTree.object(node, "htpasswd").put("path", htpasswd.path().toString());
                case IdentityBackendConfig.Robots robots -> EffectiveTree.object(node, "robots").put("path", robots.path().toString());
                case IdentityBackendConfig.Ldap ldap -> putLdap(EffectiveTree.object(node, "ldap"), ldap);
            }
        }
    }

    private static void putLdap(ObjectNode node, IdentityBackendConfig.Ldap ldap) {
        node.put("url", ldap.url().toString());
        node.put("starttls", ldap.startTls());
        putIfSet(node, "cacert", ldap.caCert() == null ? null : ldap.caCert().toString());
        putIfSet(node, "binddn", ldap.bindDn());
        putIfSet(node, "bindpassword", ldap.bindPassword());
        node.put("userbase", ldap.userBase());
        node.put("userfilter", ldap.userFilter());
        putIfSet(node, "groupbase", ldap.groupBase());
        node.put("groupfilter", ldap.groupFilter());
        node.put("groupattribute", ldap.groupAttribute());
    }

    /** Writes {@code access} as it is enforced, with names sorted so that the output is stable. */
    private static void putAccess(ObjectNode node, AccessConfig access) {
        ObjectNode admins = node.putObject("admins");
        putNames(admins.putArray("users"), access.admins().users());
        putNames(admins.putArray("groups"), access.admins().groups());
        putNames(admins.putArray("robots"), access.admins().robots());
        node.put("default", access.defaultRole() == null ? "none" : access.defaultRole().configName());
        ObjectNode projects = node.putObject("projects");
        for (AccessConfig.Project project : access.projects()) {
            ObjectNode grants = projects.putObject(project.pattern());
            grants.put("anonymous", project.anonymousPull() ? "pull" : "none");
            putRoles(grants.putObject("users"), project.users());
            putRoles(grants.putObject("groups"), project.groups());
            putRoles(grants.putObject("robots"), project.robots());
        }
    }

    private static void putNames(ArrayNode array, Set<String> names) {
        new TreeSet<>(names).forEach(array::add);
    }

    private static void putRoles(ObjectNode node, Map<String, AccessConfig.Role> roles) {
        new TreeMap<>(roles).forEach((name, role) -> node.put(name, role.configName()));
    }

    private static void putIfSet(ObjectNode node, String key, String value) {
        if (value != null) {
            node.put(key, value);
        }
    }
}
