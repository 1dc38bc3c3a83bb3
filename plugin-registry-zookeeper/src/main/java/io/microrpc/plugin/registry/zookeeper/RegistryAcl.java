package io.microrpc.plugin.registry.zookeeper;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * The ACL of every node the plugin creates: all permissions for the digest identity of its
 * credentials, and, with the embedded server, read permission for everyone. Immutable.
 *
 * <p>Why world-readable with the embedded server: consumers need no credentials (an application with a
 * data directory of its own discovers the installation's providers), and {@code zkCli.sh ls/get} shows
 * the layout for debugging. What it reveals (services, {@code host:port}, weights) a local user can see
 * with {@code ss -tlnp} anyway; what matters, writing, takes the credentials.
 */
final class RegistryAcl implements ACLProvider {

    private final List<ACL> acl;
    private final String identity;

    private RegistryAcl(String auth, boolean worldReadable) {
        try {
            this.identity = DigestAuthenticationProvider.generateDigest(auth);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is not available for ZooKeeper's digest scheme", e);
        }
        List<ACL> list = new ArrayList<>(2);
        list.add(new ACL(ZooDefs.Perms.ALL, new Id("digest", identity)));
        if (worldReadable) {
            list.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        }
        // Not List.copyOf: ZooKeeper asks the list whether it contains null, which that kind refuses.
        this.acl = Collections.unmodifiableList(list);
    }

    /** Embedded server: the credentials write, everyone reads. */
    static RegistryAcl embedded(String auth) {
        return new RegistryAcl(auth, true);
    }

    /** An ensemble with {@code registry.zookeeper.auth}: only those credentials read or write. */
    static RegistryAcl ensemble(String auth) {
        return new RegistryAcl(auth, false);
    }

    List<ACL> acl() {
        return acl;
    }

    /** {@code digest:user:hash}, for log lines (the hash, not the password). */
    String identity() {
        return "digest:" + identity;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return acl;
    }
}
