package dev.ricochet.benchmarks.ingest;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.ingest.IdGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * One click or visitor id: {@link IdGenerator#next(long)} then {@link IdGenerator#hi()} and {@link IdGenerator#lo()},
 * with the generator's default {@code SecureRandom}; the refill of its random pool every 409 ids is part of the
 * average.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IdGenerationBenchmark extends ChronicleForkedBenchmark
{
    private final IdGenerator generator = new IdGenerator();
    private long nowMs = 1_763_000_000_000L;

    /**
     * Generate an id and read both halves.
     *
     * @param blackhole consumes both halves.
     */
    @Benchmark
    public void next(final Blackhole blackhole)
    {
        // A clock that moves, as the edge's cached clock does; the generator only shifts it into the high bits.
        generator.next(nowMs++);
        blackhole.consume(generator.hi());
        blackhole.consume(generator.lo());
    }
}
