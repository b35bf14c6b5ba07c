package dev.ricochet.benchmarks.ingest;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link LinkDirectory#lookup} of a random code among {@link #ROUTES} routes: a hit with a pre-generated code, a hit
 * with the code cut out of a request path as the edge does (a new String, so its hash is computed per lookup), and a
 * miss.
 *
 * <p>Codes are 8 random characters of {@code [A-Za-z0-9]}; the order of lookups is a pre-generated random sequence
 * over the million codes, so most lookups miss the CPU caches as they would under real traffic. The pre-generated
 * codes are other String instances than the routes' own, so a hit compares characters rather than references.
 * {@code hitFromPath} also reads a cold path String per lookup, which a request's freshly decoded URI would not be,
 * so it is an upper bound of the edge's cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LinkLookupBenchmark extends ChronicleForkedBenchmark
{
    static final int ROUTES = 1_000_000;

    private static final int ORDER_LENGTH = 1 << 20;
    private static final int CODE_LENGTH = 8;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String CLICK_PREFIX = "/r/";

    private final LinkDirectory directory = new LinkDirectory();
    private final String[] codes = new String[ROUTES];
    private final String[] paths = new String[ROUTES];
    private final String[] unknownCodes = new String[ROUTES];
    private final int[] order = new int[ORDER_LENGTH];
    private int next;

    /**
     * Fill the directory and build the codes, paths and lookup order.
     */
    @Setup(Level.Trial)
    public void fill()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Set<String> seen = new HashSet<>(2 * ROUTES);
        for (int i = 0; i < ROUTES; i++)
        {
            String code;
            do
            {
                code = randomCode(random);
            }
            while (!seen.add(code));
            codes[i] = code;
            paths[i] = CLICK_PREFIX + code;
            // The route keeps its own copy of the code, so a lookup compares characters as it would for a request.
            final String routeCode = new String(code.toCharArray());
            directory.put(new LinkRoute(routeCode, i + 1, 1 + i / 10, 1, "https://shop.example/p/" + i, "rcid"));
        }
        for (int i = 0; i < ROUTES; i++)
        {
            String code;
            do
            {
                code = randomCode(random);
            }
            while (seen.contains(code));
            unknownCodes[i] = code;
        }
        for (int i = 0; i < ORDER_LENGTH; i++)
        {
            order[i] = random.nextInt(ROUTES);
        }
        if (directory.size() != ROUTES || null == directory.lookup(codes[7]) ||
            null != directory.lookup(unknownCodes[7]))
        {
            throw new IllegalStateException("directory not filled as expected");
        }
    }

    /**
     * A known code, pre-generated (its String hash is cached after the first lookup).
     *
     * @return the route.
     */
    @Benchmark
    public LinkRoute hit()
    {
        return directory.lookup(codes[nextIndex()]);
    }

    /**
     * A known code cut out of the request path, as {@code RequestPath.code()} does for every click.
     *
     * @return the route.
     */
    @Benchmark
    public LinkRoute hitFromPath()
    {
        return directory.lookup(paths[nextIndex()].substring(CLICK_PREFIX.length()));
    }

    /**
     * An unknown code (a 404).
     *
     * @return null.
     */
    @Benchmark
    public LinkRoute miss()
    {
        return directory.lookup(unknownCodes[nextIndex()]);
    }

    private int nextIndex()
    {
        return order[next++ & (ORDER_LENGTH - 1)];
    }

    private static String randomCode(final SplittableRandom random)
    {
        final char[] chars = new char[CODE_LENGTH];
        for (int i = 0; i < CODE_LENGTH; i++)
        {
            chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(chars);
    }
}
