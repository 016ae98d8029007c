package io.mooring.testkit;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The network simulated Apple devices share: one HTTP/1.1 client per set of trusted certificates, so a
 * fleet of devices enrolled with the same server reuses connections instead of opening a client each.
 * <p>
 * What a device trusts for TLS: the {@code com.apple.security.root} certificates of the profile it
 * installed, plus the extra certificates given here (the server's TLS certificate or its issuer, needed to
 * download the profile in the first place). With no certificate at all, it trusts the JDK's default roots.
 * Plain {@code http} URLs need no trust and work too.
 * <p>
 * The enrollment profile itself is downloaded the way a person opens its link in Safari: a server
 * certificate the device does not trust raises a warning the person can accept, so by default the download
 * goes through whatever the server presents (the profile's own signature is still checked). A network made
 * with {@code acceptUntrustedProfileServer} false refuses it instead, as a person who does not click through.
 * <p>
 * Devices do not present their identity as a TLS client certificate: Mooring authenticates them by the
 * {@code Mdm-Signature} header ({@code SignMessage}), and a client certificate would take one HTTP client
 * per device.
 */
public final class AppleNetwork {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private static final String ANY_SERVER = "any server";

    private final Set<X509Certificate> extraTrusted;
    private final Duration timeout;
    private final boolean verifyHostnames;
    private final boolean acceptUntrustedProfileServer;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param timeout                      for connecting and for each request
     * @param verifyHostnames              whether the server certificate must name the host, as a device
     *                                     requires; turn it off for a test server whose certificate names
     *                                     neither localhost nor 127.0.0.1
     * @param acceptUntrustedProfileServer whether the profile download goes through an untrusted server
     *                                     certificate, as a person accepting Safari's warning
     * @param extraTrusted                 certificates trusted besides those of the installed profile
     */
    public AppleNetwork(Duration timeout, boolean verifyHostnames, boolean acceptUntrustedProfileServer,
            Collection<X509Certificate> extraTrusted) {
        this.timeout = timeout;
        this.verifyHostnames = verifyHostnames;
        this.acceptUntrustedProfileServer = acceptUntrustedProfileServer;
        this.extraTrusted = Set.copyOf(extraTrusted);
    }

    /** Default timeout, hostnames verified. */
    public static AppleNetwork trusting(X509Certificate... extraTrusted) {
        return new AppleNetwork(DEFAULT_TIMEOUT, true, true, List.of(extraTrusted));
    }

    /** Like {@link #trusting}, but the profile download too must come from a trusted server. */
    public static AppleNetwork strictlyTrusting(X509Certificate... extraTrusted) {
        return new AppleNetwork(DEFAULT_TIMEOUT, true, false, List.of(extraTrusted));
    }

    public Duration timeout() {
        return timeout;
    }

    /** The client for a device that trusts {@code profileAnchors} besides this network's extra certificates. */
    public HttpClient client(Collection<X509Certificate> profileAnchors) {
        Set<X509Certificate> anchors = new LinkedHashSet<>(extraTrusted);
        anchors.addAll(profileAnchors);
        return clients.computeIfAbsent(key(anchors), key -> newClient(anchors));
    }

    /** The client that downloads an enrollment profile, before the device trusts anything of the profile. */
    public HttpClient profileDownloadClient() {
        if (!acceptUntrustedProfileServer) {
            return client(List.of());
        }
        return clients.computeIfAbsent(ANY_SERVER, key -> {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new ChainOnly(null)}, null);
                return builder().sslContext(context).build();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS for the profile download", e);
            }
        });
    }

    private HttpClient.Builder builder() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                // devices follow redirections (without remembering a 301), but never from https to http
                .followRedirects(HttpClient.Redirect.NORMAL);
    }

    private HttpClient newClient(Set<X509Certificate> anchors) {
        HttpClient.Builder builder = builder();
        if (!anchors.isEmpty()) {
            builder.sslContext(sslContext(anchors));
        }
        return builder.build();
    }

    private SSLContext sslContext(Set<X509Certificate> anchors) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate anchor : anchors) {
                store.setCertificateEntry("anchor-" + i++, anchor);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            X509ExtendedTrustManager pkix = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    pkix = extended;
                }
            }
            if (pkix == null) {
                throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {verifyHostnames ? pkix : new ChainOnly(pkix)}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust for the simulated devices", e);
        }
    }

    private static String key(Set<X509Certificate> anchors) {
        Set<String> fingerprints = new TreeSet<>();
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate anchor : anchors) {
                fingerprints.add(HexFormat.of().formatHex(sha256.digest(anchor.getEncoded())));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return String.join(",", fingerprints);
    }

    /**
     * Checks the server's chain and nothing else; with no PKIX manager, not even that (the accepted Safari
     * warning). JSSE checks the hostname inside the trust manager it is given, from the engine's parameters;
     * calling the chain-only methods of the PKIX manager skips it.
     */
    private static final class ChainOnly extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;

        ChainOnly(X509TrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (pkix != null) {
                pkix.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a simulated device accepts no client connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix == null ? new X509Certificate[0] : pkix.getAcceptedIssuers();
        }
    }
}
