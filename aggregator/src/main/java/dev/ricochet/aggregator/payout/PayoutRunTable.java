package dev.ricochet.aggregator.payout;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;

/**
 * The payout runs, {@link Table#PAYOUT_RUNS}, and which run paid each program's period.
 *
 * <pre>
 *   "run:" + runId                                   -> JSON {@link PayoutRun}
 *   "period:" + programNumber + ":" + periodEnd      -> runId (UTF-8)
 * </pre>
 */
public final class PayoutRunTable
{
    private static final byte[] RUNS_FROM = "run:".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RUNS_TO = "run;".getBytes(StandardCharsets.UTF_8);

    private final StateStore store;

    /**
     * @param store the state.
     */
    public PayoutRunTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param runId a run id.
     * @return the committed run, or null.
     */
    public PayoutRun find(final String runId)
    {
        final byte[] stored = store.get(Table.PAYOUT_RUNS, runKey(runId));
        return null == stored ? null : CatalogJson.read(stored, PayoutRun.class);
    }

    /**
     * @param programNumber program.
     * @param periodEnd     UTC day.
     * @return the committed run id for that period, or null.
     */
    public String runForPeriod(final int programNumber, final String periodEnd)
    {
        final byte[] stored = store.get(Table.PAYOUT_RUNS, periodKey(programNumber, periodEnd));
        return null == stored ? null : new String(stored, StandardCharsets.UTF_8);
    }

    /**
     * Visit the committed runs in run id order.
     *
     * @param consumer receives each run; returns false to stop.
     */
    public void forEachRun(final RunConsumer consumer)
    {
        store.scan(Table.PAYOUT_RUNS, RUNS_FROM, RUNS_TO, false,
            (key, value) -> consumer.accept(CatalogJson.read(value, PayoutRun.class)));
    }

    /**
     * Part 8 item 1 (lists): visit a program's committed runs by the period they cover, latest first, through the
     * period entries (one per run, written when it is built).
     *
     * @param programNumber the program.
     * @param before        the period of the last run of the previous page (not visited again), or null.
     * @param consumer      receives each period and run id; returns false to stop.
     */
    public void forEachPeriod(final int programNumber, final String before, final PeriodConsumer consumer)
    {
        final String prefix = "period:" + programNumber + ":";
        final byte[] from = prefix.getBytes(StandardCharsets.UTF_8);
        final byte[] to = null == before ? (prefix.substring(0, prefix.length() - 1) + ";")
            .getBytes(StandardCharsets.UTF_8) : periodKey(programNumber, before);
        store.scan(Table.PAYOUT_RUNS, from, to, true, (key, value) -> consumer.accept(
            new String(key, from.length, key.length - from.length, StandardCharsets.UTF_8),
            new String(value, StandardCharsets.UTF_8)));
    }

    /**
     * Receives a program's periods.
     */
    @FunctionalInterface
    public interface PeriodConsumer
    {
        /**
         * @param periodEnd the period a run covers up to.
         * @param runId     the run.
         * @return true to continue.
         */
        boolean accept(String periodEnd, String runId);
    }

    /**
     * Receives runs.
     */
    @FunctionalInterface
    public interface RunConsumer
    {
        /**
         * @param run a run.
         * @return true to continue.
         */
        boolean accept(PayoutRun run);
    }

    void put(final WriteBatch batch, final byte[] key, final byte[] value)
    {
        store.put(batch, Table.PAYOUT_RUNS, key, value);
    }

    static byte[][] runEntry(final String runId, final PayoutRun run)
    {
        return new byte[][]{ runKey(runId), CatalogJson.write(run) };
    }

    static byte[][] periodEntry(final int programNumber, final String periodEnd, final String runId)
    {
        return new byte[][]{ periodKey(programNumber, periodEnd), runId.getBytes(StandardCharsets.UTF_8) };
    }

    private static byte[] runKey(final String runId)
    {
        return ("run:" + runId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] periodKey(final int programNumber, final String periodEnd)
    {
        return ("period:" + programNumber + ":" + periodEnd).getBytes(StandardCharsets.UTF_8);
    }
}
