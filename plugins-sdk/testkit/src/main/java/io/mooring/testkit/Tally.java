package io.mooring.testkit;

/**
 * What happened in one check-in round of one device, or summed over many. {@code checkIns} counts
 * check-ins the server answered; {@code acknowledged}, {@code notNow} and {@code errors} count results
 * it accepted; {@code unavailable} counts calls answered 503 ("try later"); {@code failures} counts calls
 * that got no answer or an answer the protocol does not expect.
 */
public record Tally(int checkIns, int unavailable, int commandsReceived, int acknowledged, int notNow, int errors, int failures) {
    public static final Tally NONE = new Tally(0, 0, 0, 0, 0, 0, 0);

    public Tally plus(Tally other) {
        return new Tally(
                checkIns + other.checkIns,
                unavailable + other.unavailable,
                commandsReceived + other.commandsReceived,
                acknowledged + other.acknowledged,
                notNow + other.notNow,
                errors + other.errors,
                failures + other.failures);
    }
}
