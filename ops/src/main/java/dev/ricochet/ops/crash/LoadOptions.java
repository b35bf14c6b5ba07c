package dev.ricochet.ops.crash;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to send, where, and how fast.
 *
 * @param port             the edge's port on 127.0.0.1.
 * @param ackDir           directory of the ack logs and final counts.
 * @param rate             requests per second over all connections; 0 for a closed loop.
 * @param connections      keep-alive connections to keep open.
 * @param maxConnections   connections an open loop may open when every one is busy.
 * @param threads          event loops.
 * @param clickPercent     share of link clicks.
 * @param pixelPercent     share of pixel hits; the rest are conversions.
 * @param partners         partners seeded ({@link Seeder}): codes are {@code p<i>-l<j>}.
 * @param linksPerPartner  links per partner.
 * @param program          program receiving the conversions.
 * @param stripeSecret     the program's Stripe endpoint secret.
 * @param clickParam       the program's click parameter in the Location.
 * @param runId            makes this run's order ids unique.
 * @param timeoutMs        how long an answer may take before the connection is dropped and counted.
 */
record LoadOptions(int port, Path ackDir, int rate, int connections, int maxConnections, int threads,
    int clickPercent, int pixelPercent, int partners, int linksPerPartner, String program, String stripeSecret,
    String clickParam, String runId, long timeoutMs)
{
    static LoadOptions parse(final String[] args)
    {
        final Map<String, String> values = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            if (!args[i].startsWith("--"))
            {
                throw new IllegalArgumentException("expected --name value pairs, found " + args[i]);
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
        final int connections = Integer.parseInt(values.getOrDefault("connections", "16"));
        return new LoadOptions(
            Integer.parseInt(required(values, "port")),
            Path.of(required(values, "ack-dir")),
            Integer.parseInt(values.getOrDefault("rate", "0")),
            connections,
            Integer.parseInt(values.getOrDefault("max-connections", Integer.toString(4 * connections))),
            Integer.parseInt(values.getOrDefault("threads", "1")),
            Integer.parseInt(values.getOrDefault("click-percent", "95")),
            Integer.parseInt(values.getOrDefault("pixel-percent", "4")),
            Integer.parseInt(values.getOrDefault("partners", Integer.toString(Seeder.PARTNERS))),
            Integer.parseInt(values.getOrDefault("links", Integer.toString(Seeder.LINKS_PER_PARTNER))),
            values.getOrDefault("program", Seeder.PROGRAM),
            values.getOrDefault("stripe-secret", Seeder.STRIPE_SECRET),
            values.getOrDefault("click-param", Seeder.CLICK_PARAM),
            values.getOrDefault("run-id", Long.toString(System.currentTimeMillis(), 36)),
            Long.parseLong(values.getOrDefault("timeout-ms", "5000")));
    }

    /**
     * @return options for the catalog {@link Seeder} made: the 95/4/1 mix, connections may grow to four times
     * the given number.
     */
    static LoadOptions forSeededShop(final int port, final Path ackDir, final int rate, final int connections,
        final int threads, final int partners, final String runId, final long timeoutMs)
    {
        return new LoadOptions(port, ackDir, rate, connections, 4 * connections, threads, 95, 4, partners,
            Seeder.LINKS_PER_PARTNER, Seeder.PROGRAM, Seeder.STRIPE_SECRET, Seeder.CLICK_PARAM, runId, timeoutMs);
    }

    List<String> toArgs()
    {
        return List.of("--port", Integer.toString(port), "--ack-dir", ackDir.toString(),
            "--rate", Integer.toString(rate), "--connections", Integer.toString(connections),
            "--max-connections", Integer.toString(maxConnections), "--threads", Integer.toString(threads),
            "--click-percent", Integer.toString(clickPercent), "--pixel-percent", Integer.toString(pixelPercent),
            "--partners", Integer.toString(partners), "--links", Integer.toString(linksPerPartner),
            "--program", program, "--stripe-secret", stripeSecret, "--click-param", clickParam,
            "--run-id", runId, "--timeout-ms", Long.toString(timeoutMs));
    }

    private static String required(final Map<String, String> values, final String name)
    {
        final String value = values.get(name);
        if (null == value)
        {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
