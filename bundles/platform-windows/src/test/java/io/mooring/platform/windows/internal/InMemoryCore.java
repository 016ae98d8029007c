package io.mooring.platform.windows.internal;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.mooring.api.Actor;
import io.mooring.api.Command;
import io.mooring.api.CommandId;
import io.mooring.api.CommandRequest;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.CommandTarget;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Delivery;
import io.mooring.api.Device;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceQuery;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.DeviceState;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.EnrollmentToken;
import io.mooring.api.InventoryService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.PendingCommand;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.CertificateIssuer;
import io.mooring.api.pki.CmsSigner;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Core's device-plane services as the Windows plugin sees them, in memory, for protocol tests: enrollment
 * tokens, devices, a per-device queue that hands out unanswered commands again (as core's does),
 * inventory, plugin attributes, and a small CA that issues from a PKCS#10.
 */
final class InMemoryCore implements DeviceRegistry, CommandService, DeviceAttributes, EnrollmentService, CertificateIssuer, CmsSigner {
    final InventoryService inventory = new Inventory();
    final Map<DeviceId, Device> devices = new ConcurrentHashMap<>();
    final Map<String, int[]> tokens = new ConcurrentHashMap<>();
    final Map<DeviceId, List<PendingCommand>> queues = new ConcurrentHashMap<>();
    final Map<CommandId, CommandType> types = new ConcurrentHashMap<>();
    final Map<CommandId, CommandResult> results = new ConcurrentHashMap<>();
    final Map<DeviceId, List<InventorySnapshot>> snapshots = new ConcurrentHashMap<>();
    final Map<String, byte[]> attributes = new ConcurrentHashMap<>();
    final List<X509Certificate> issued = new ArrayList<>();
    final KeyPair caKeys;
    final X509Certificate ca;

    InMemoryCore() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        caKeys = g.generateKeyPair();
        X500Name name = new X500Name("CN=Test Device CA,O=Mooring");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(30))), name, caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
    }

    /** The groups devices enrolled from now on are in (a token into a group), as core's DeviceGroupService.groupsOfDevice tells them. */
    volatile List<io.mooring.api.DeviceGroup> enrollInto = List.of();
    private final Map<DeviceId, List<io.mooring.api.DeviceGroup>> groups = new java.util.concurrent.ConcurrentHashMap<>();

    List<io.mooring.api.DeviceGroup> groupsOf(DeviceId device) {
        return groups.getOrDefault(device, List.of());
    }

    String token(int uses) {
        String secret = "tok-" + java.util.UUID.randomUUID();
        tokens.put(secret, new int[] {uses});
        return secret;
    }

    /** Runs once, when the next command is queued: what another node or an admin does meanwhile. */
    volatile Runnable beforeEnqueue;

    /** Runs once, when the next exchange that hands out listed commands begins: what another node or an admin does meanwhile. */
    volatile Runnable beforeHandOut;

    /** Takes a command out of the device's queue, as a cancellation of a queued delivery does. */
    synchronized void withdraw(DeviceId device, CommandId command) {
        queues.getOrDefault(device, new ArrayList<>()).removeIf(p -> p.id().equals(command));
    }

    CommandId queue(DeviceId device, String type, Map<String, Object> payload) {
        CommandId id = CommandId.random();
        types.put(id, new CommandType(type));
        queues.computeIfAbsent(device, k -> new ArrayList<>()).add(new PendingCommand(id, device, new CommandType(type), payload, 0));
        return id;
    }

    Device only() {
        return devices.values().stream().filter(d -> d.state() == DeviceState.ENROLLED).reduce((a, b) -> {
            throw new IllegalStateException("more than one device");
        }).orElseThrow();
    }

    // EnrollmentService
    @Override
    public EnrollmentToken issueToken(TenantId tenant, PlatformId platform, Duration validFor, int maxUses, io.mooring.api.GroupId group,
            Actor actor) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized EnrolledDevice enroll(PlatformId platform, String tokenSecret, DeviceDescription description) {
        int[] uses = tokens.get(tokenSecret);
        if (uses == null || uses[0] < 1) {
            throw new EnrollmentException("the enrollment token is unknown or used up");
        }
        uses[0]--;
        Device d = new Device(DeviceId.random(), TenantId.DEFAULT, platform, DeviceState.ENROLLED, description, Instant.now(), null, null);
        devices.put(d.id(), d);
        groups.put(d.id(), enrollInto);
        return new EnrolledDevice(d, "unused");
    }

    @Override
    public Optional<Device> authenticate(PlatformId platform, String credential) {
        return Optional.empty();
    }

    /** Serials the plugin revoked as superseded (CertificateInventory.revokeSuperseded). */
    final List<String> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();

    synchronized int issuedCount() {
        return issued.size();
    }

    // CertificateIssuer
    @Override
    public Policy policy() {
        return new Policy(Set.of(2048), Duration.ofDays(365));
    }

    @Override
    public void check(byte[] pkcs10) {
        key(pkcs10);
    }

    private PublicKey key(byte[] pkcs10) {
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(pkcs10);
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new ValidationException("pkcs10", "the PKCS#10 request's signature does not verify with its key");
            }
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!(key instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() != 2048) {
                throw new ValidationException("pkcs10", "the key must be RSA of [2048] bits");
            }
            return key;
        } catch (ValidationException e) {
            throw e;
        } catch (Exception e) {
            throw new ValidationException("pkcs10", "the request is not a DER PKCS#10 certificate request");
        }
    }

    @Override
    public synchronized X509Certificate issueForDevice(Device device, byte[] pkcs10, String organization) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Test Device CA,O=Mooring"),
                    BigInteger.valueOf(1000 + issued.size()), Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(30))),
                    new X500Name("O=" + organization + ",CN=" + device.id()), key(pkcs10));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA")
                    .build(caKeys.getPrivate())));
            issued.add(cert);
            return cert;
        } catch (ValidationException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // CmsSigner: the plugin needs the chain and checks renewal requests
    @Override
    public byte[] sign(byte[] content) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<SignerIdentity> verifyDetached(byte[] content, byte[] signature) {
        throw new UnsupportedOperationException();
    }

    /** As the PKI bundle does it: the one signature verifies with the signer certificate the SignedData carries, valid now. */
    @Override
    public Optional<Signed> verifyAttached(byte[] signedData) {
        try {
            org.bouncycastle.cms.CMSSignedData signed = new org.bouncycastle.cms.CMSSignedData(signedData);
            org.bouncycastle.cms.SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
            @SuppressWarnings("unchecked")
            org.bouncycastle.cert.X509CertificateHolder holder = (org.bouncycastle.cert.X509CertificateHolder) signed.getCertificates()
                    .getMatches(signer.getSID()).iterator().next();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            cert.checkValidity();
            if (signed.getSignerInfos().size() != 1
                    || !signer.verify(new org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder().build(cert.getPublicKey()))) {
                return Optional.empty();
            }
            boolean ours;
            try {
                cert.verify(caKeys.getPublic());
                ours = true;
            } catch (java.security.GeneralSecurityException e) {
                ours = false;
            }
            return Optional.of(new Signed((byte[]) signed.getSignedContent().getContent(),
                    new SignerIdentity(cert.getSerialNumber().toString(16), cert.getSubjectX500Principal().getName(), ours,
                            "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                                    + "\n-----END CERTIFICATE-----\n")));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public List<X509Certificate> caChain() {
        return List.of(ca);
    }

    // DeviceRegistry
    @Override
    public Optional<Device> find(TenantId tenant, DeviceId id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public Page<Device> list(TenantId tenant, DeviceQuery query) {
        List<Device> all = new ArrayList<>(devices.values());
        return new Page<>(all, all.size(), 0, all.size());
    }

    @Override
    public Device unenroll(TenantId tenant, DeviceId id, Actor actor) {
        Device d = devices.get(id);
        Device gone = new Device(d.id(), d.tenant(), d.platform(), DeviceState.UNENROLLED, d.description(), d.enrolledAt(), d.lastSeenAt(), d.push());
        devices.put(id, gone);
        queues.remove(id);
        return gone;
    }

    @Override
    public Optional<Device> findForDevicePlane(DeviceId id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public void updatePush(DeviceId id, PushRegistration push) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void invalidatePush(DeviceId id, String reason) {
        throw new UnsupportedOperationException();
    }

    // CommandService
    @Override
    public Command enqueue(TenantId tenant, CommandRequest request, Actor actor) {
        Runnable hook = beforeEnqueue;
        beforeEnqueue = null;
        if (hook != null) {
            hook.run();
        }
        for (DeviceId d : ((CommandTarget.Devices) request.target()).ids()) {
            if (!devices.containsKey(d) || devices.get(d).state() != DeviceState.ENROLLED) {
                throw new io.mooring.api.NotFoundException("no enrolled device " + d + "; nothing was queued");
            }
        }
        CommandId id = null;
        for (DeviceId d : ((CommandTarget.Devices) request.target()).ids()) {
            id = queue(d, request.type().name(), request.payload());
        }
        return new Command(id, tenant, request.type(), request.payload(), actor, Instant.now(), request.expiresAt(), Map.of());
    }

    @Override
    public Optional<Command> find(TenantId tenant, CommandId id) {
        return Optional.empty();
    }

    @Override
    public long cancel(TenantId tenant, CommandId id, Actor actor) {
        return 0;
    }

    @Override
    public Page<Delivery> history(TenantId tenant, DeviceId device, PageRequest page) {
        return new Page<>(List.of(), 0, 0, 0);
    }

    @Override
    public synchronized Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, int max,
            java.util.function.Function<List<PendingCommand>, Map<String, byte[]>> keep) {
        Exchange done = exchange(device, results, max);
        keep.apply(done.next()).forEach((name, value) -> put(device, name, value));
        return done;
    }

    @Override
    public synchronized Exchange exchange(DeviceId device, Map<CommandId, CommandResult> results, List<CommandId> handOut, Map<String, byte[]> keep) {
        Runnable hook = beforeHandOut;
        beforeHandOut = null;
        if (hook != null) {
            hook.run();
        }
        Exchange answered = exchange(device, results, 0);
        List<PendingCommand> q = queues.getOrDefault(device, List.of());
        List<PendingCommand> handed = new ArrayList<>();
        for (CommandId id : handOut) {
            for (int i = 0; i < q.size(); i++) {
                PendingCommand p = q.get(i);
                if (p.id().equals(id)) {
                    PendingCommand sent = new PendingCommand(p.id(), p.device(), p.type(), p.payload(), p.attempt() + 1);
                    q.set(i, sent);
                    handed.add(sent);
                }
            }
        }
        if (handed.size() == handOut.size()) {
            keep.forEach((name, value) -> put(device, name, value));
        }
        return new Exchange(answered.completions(), handed);
    }

    /** Oldest first, queued or handed out but unanswered, as core does. */
    @Override
    public synchronized List<PendingCommand> nextFor(DeviceId device, int max) {
        List<PendingCommand> q = queues.getOrDefault(device, List.of());
        List<PendingCommand> out = new ArrayList<>();
        for (int i = 0; i < q.size() && out.size() < max; i++) {
            PendingCommand p = q.get(i);
            PendingCommand sent = new PendingCommand(p.id(), p.device(), p.type(), p.payload(), p.attempt() + 1);
            q.set(i, sent);
            out.add(sent);
        }
        return out;
    }

    @Override
    public synchronized Completion complete(DeviceId device, CommandId command, CommandResult result) {
        List<PendingCommand> q = queues.getOrDefault(device, new ArrayList<>());
        if (results.containsKey(command)) {
            return Completion.DUPLICATE;
        }
        if (q.stream().noneMatch(p -> p.id().equals(command) && p.attempt() > 0)) {
            return Completion.UNKNOWN_COMMAND;
        }
        q.removeIf(p -> p.id().equals(command));
        results.put(command, result);
        return Completion.RECORDED;
    }

    Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
        return inventory.latest(tenant, device);
    }

    private final class Inventory implements InventoryService {
        @Override
        public void record(DeviceId device, InventorySnapshot snapshot) {
            snapshots.computeIfAbsent(device, k -> new ArrayList<>()).add(snapshot);
            Device d = devices.get(device);
            devices.put(device, new Device(d.id(), d.tenant(), d.platform(), d.state(), d.description().updatedBy(snapshot.summary()), d.enrolledAt(),
                    d.lastSeenAt(), d.push()));
        }

        @Override
        public Optional<InventorySnapshot> latest(TenantId tenant, DeviceId device) {
            List<InventorySnapshot> s = snapshots.getOrDefault(device, List.of());
            return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
        }

        @Override
        public Page<InventorySnapshot> history(TenantId tenant, DeviceId device, PageRequest page) {
            List<InventorySnapshot> s = snapshots.getOrDefault(device, List.of());
            return new Page<>(s, s.size(), 0, s.size());
        }
    }

    // DeviceAttributes
    @Override
    public void put(DeviceId device, String name, byte[] value) {
        if (value != null && value.length > MAX_VALUE) {
            throw new ValidationException(name, "value larger than " + MAX_VALUE);
        }
        if (value == null) {
            attributes.remove(device + "/" + name);
        } else {
            attributes.put(device + "/" + name, value);
        }
    }

    @Override
    public Optional<byte[]> get(DeviceId device, String name) {
        return Optional.ofNullable(attributes.get(device + "/" + name));
    }

    @Override
    public Optional<Snapshot> snapshot(DeviceId device, String prefix) {
        return findForDevicePlane(device).map(d -> new Snapshot(d, all(device, prefix)));
    }

    @Override
    public synchronized Optional<Snapshot> snapshot(DeviceId device, String prefix, int open) {
        List<PendingCommand> q = queues.getOrDefault(device, List.of());
        List<PendingCommand> pending = q.stream().limit(open).map(p -> new PendingCommand(p.id(), p.device(), p.type(), p.payload(), p.attempt() + 1))
                .toList();
        return findForDevicePlane(device).map(d -> new Snapshot(d, all(device, prefix), pending));
    }

    @Override
    public Map<String, byte[]> all(DeviceId device, String prefix) {
        Map<String, byte[]> out = new HashMap<>();
        attributes.forEach((k, v) -> {
            if (k.startsWith(device + "/" + prefix)) {
                out.put(k.substring(k.indexOf('/') + 1), v);
            }
        });
        return out;
    }
}
