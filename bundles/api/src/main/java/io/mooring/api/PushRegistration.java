package io.mooring.api;

/**
 * How to wake a device: the push provider that reaches it and its address there. Apple fills
 * {@code topic} (from the push certificate) and {@code magic} (PushMagic); FCM needs only the token.
 * {@code valid} turns false when the provider reports the token dead, so no further pushes are sent.
 */
public record PushRegistration(String provider, String token, String topic, String magic, boolean valid) {
    public PushRegistration {
        if (provider == null || provider.isBlank() || token == null || token.isBlank()) {
            throw new ValidationException("push", "a push registration needs a provider and a token");
        }
        if (token.length() > 4096) {
            throw new ValidationException("push", "push token is too long");
        }
    }

    public PushRegistration invalidated() {
        return new PushRegistration(provider, token, topic, magic, false);
    }
}
