package dev.ricochet.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/**
 * Base of every benchmark: one fork with the JVM flags Chronicle Queue needs on Java 17 and its analytics off.
 * JMH reads {@code @Fork} from the superclass, so each benchmark inherits the list instead of repeating it; a
 * benchmark needing more flags declares its own {@code @Fork}, which replaces this one.
 */
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_UTIL, BenchmarkJvm.EXPORT_NIO_CH,
    BenchmarkJvm.EXPORT_JAVAC_FILE, BenchmarkJvm.EXPORT_SUN_MISC, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.OPEN_JAVAC,
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.NO_ANNOUNCER })
public abstract class ChronicleForkedBenchmark
{
}
