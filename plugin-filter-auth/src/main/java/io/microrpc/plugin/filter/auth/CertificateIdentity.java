package io.microrpc.plugin.filter.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The identity of a mutual-TLS caller, read from its own certificate (the first of the chain the
 * kernel verified): the first URI subject alternative name (a SPIFFE id such as {@code
 * spiffe://example.org/billing}), the first DNS one, or the subject's common name.
 */
final class CertificateIdentity {

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    private CertificateIdentity() {}

    /** The identity, or null when the certificate has none of the configured kind. */
    static String of(X509Certificate leaf, AuthSettings.CertIdentity kind) {
        return switch (kind) {
            case URI_SAN -> san(leaf, SAN_URI);
            case DNS_SAN -> san(leaf, SAN_DNS);
            case CN -> commonName(leaf);
        };
    }

    private static String san(X509Certificate cert, int type) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (names == null) {
            return null;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && name.get(0) instanceof Integer t && t == type && name.get(1) instanceof String s) {
                return s.isEmpty() ? null : s;
            }
        }
        return null;
    }

    private static String commonName(X509Certificate cert) {
        try {
            List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
            // LdapName lists the RDNs from the last to the first: the most specific CN is at the end.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN") && rdns.get(i).getValue() instanceof String s) {
                    return s.isEmpty() ? null : s;
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }
}
