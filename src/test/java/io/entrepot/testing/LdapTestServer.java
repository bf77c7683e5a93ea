package io.entrepot.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import io.entrepot.tls.PemFiles;
import java.net.InetAddress;
import java.nio.file.Path;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * UnboundID's in-memory LDAP directory on 127.0.0.1, with two listeners: plain LDAP that also
 * offers StartTLS, and LDAPS, both with a certificate from {@link TestCertificates}. The
 * directory contains {@code dc=example,dc=org} with users alice (groups developers and admins), bob
 * (developers) and the service account {@code cn=reader}.
 */
public final class LdapTestServer implements AutoCloseable {

    public static final String BASE = "dc=example,dc=org";
    public static final String USERS = "ou=people," + BASE;
    public static final String GROUPS = "ou=groups," + BASE;
    public static final String SERVICE_DN = "cn=reader," + BASE;
    public static final String SERVICE_PASSWORD = "reader-pw";

    private final InMemoryDirectoryServer server;
    private final Path caFile;

    /** Starts the directory, writing the CA of its certificate to {@code dir/ldap-ca.crt}. */
    public LdapTestServer(Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa("LDAP CA");
        TestCertificates.Issued issued = ca.issueServer(TestCertificates.ecKeys());
        Path certificate = TestCertificates.write(dir.resolve("ldap.crt"), TestCertificates.pem(issued.certificate()));
        Path key = TestCertificates.write(dir.resolve("ldap.key"), TestCertificates.pkcs8Pem(issued.keys().getPrivate()));
        caFile = TestCertificates.write(dir.resolve("ldap-ca.crt"), TestCertificates.pem(ca.caCertificate()));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(PemFiles.keyStore(certificate, key), PemFiles.STORE_PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);

        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        config.setListenerConfigs(
                InMemoryListenerConfig.createLDAPConfig("ldap", loopback, 0, tls.getSocketFactory()),
                InMemoryListenerConfig.createLDAPSConfig("ldaps", loopback, 0, tls.getServerSocketFactory(), null));
        config.setSchema(null);
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + SERVICE_DN, "objectClass: person", "cn: reader", "sn: reader", "userPassword: " + SERVICE_PASSWORD);
        server.add("dn: " + USERS, "objectClass: organizationalUnit", "ou: people");
        server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
        addUser("alice", "alice-pw");
        addUser("bob", "bob-pw");
        addUser("star*", "star-pw");
        server.add("dn: cn=developers," + GROUPS, "objectClass: groupOfNames", "cn: developers",
                "member: uid=alice," + USERS, "member: uid=bob," + USERS);
        server.add("dn: cn=admins," + GROUPS, "objectClass: groupOfNames", "cn: admins", "member: uid=alice," + USERS);
        server.startListening();
    }

    /** Adds a user with {@code password}. */
    public void addUser(String uid, String password) throws Exception {
        server.add("dn: uid=" + uid + "," + USERS,
                "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid, "userPassword: " + password);
    }

    /** Removes the entry of user {@code uid}. */
    public void removeUser(String uid) throws LDAPException {
        server.delete("uid=" + uid + "," + USERS);
    }

    /** Returns {@code ldap://127.0.0.1:PORT} of the listener that also offers StartTLS. */
    public String ldapUrl() {
        return "ldap://127.0.0.1:" + server.getListenPort("ldap");
    }

    public String ldapsUrl() {
        return "ldaps://127.0.0.1:" + server.getListenPort("ldaps");
    }

    /** Returns the PEM file of the CA that signed the server's certificate. */
    public Path caFile() {
        return caFile;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
