package dev.ricochet.ops.crash;

import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.Settings;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The crash suite: the real service as a child process under load from a {@link LoadGenerator} process (the source
 * of truth), SIGKILLed at random moments, halted at each white-box {@link CrashPoints} point, frozen (its aggregator
 * alone, then the whole process with SIGSTOP), and after every death audited: the state on disk must equal a fresh
 * replay of the journal up to its checkpoint, key by key. At the end every acknowledged click and order must be in
 * the journal, no click id twice, and what the aggregator counted must equal what the journal holds.
 *
 * <p>A negative control ends the run: the aggregator deliberately writes its checkpoint apart from its state
 * ({@value CrashPoints#SPLIT_CHECKPOINT_PROP_NAME}) and is halted between the two writes; the audit must catch every
 * one of those crashes, or the suite could not fail.
 *
 * <p>{@code ops/crash-suite [--long]}: the default is a short run; {@code --long} hits every point at least 20 times,
 * SIGSTOPs the service 30 s and freezes its aggregator 120 s (see README, Crash suite and soak). Exits 0 when
 * nothing was lost or doubled and every negative control was caught.
 */
public final class CrashSuite
{
    static final String ROLL_CYCLE = "TEST_SECONDLY";
    private static final int PARTNERS = 10;

    private enum Kind
    {
        SIGKILL, POINT, PAUSE, NEGATIVE
    }

    private record Step(Kind kind, CrashPoints.Point point)
    {
    }

    private record Audit(Step step, boolean fired, StateAudit.Diff diff)
    {
    }

    private final CrashPlan plan;
    private final Path runDir;
    private final PrintStream out;
    private final RollCycle rollCycle = Journal.rollCycle(ROLL_CYCLE);
    private final CrashTally tally;
    private final ExecutorService auditor = Executors.newSingleThreadExecutor();
    private final List<Future<Audit>> audits = new ArrayList<>();
    private ServiceSupervisor service;
    private GeneratorProcess generator;
    private long startMs;

    private CrashSuite(final CrashPlan plan, final Path runDir, final PrintStream out)
    {
        this.plan = plan;
        this.tally = new CrashTally(plan);
        this.runDir = runDir;
        this.out = out;
    }

    /**
     * @param plan   what to do.
     * @param runDir an empty directory for the service's data, the logs and the ack logs.
     * @param out    progress and the final tally.
     * @return the tally.
     * @throws Exception if the run itself could not be carried out (as opposed to finding a failure).
     */
    public static CrashTally run(final CrashPlan plan, final Path runDir, final PrintStream out) throws Exception
    {
        return new CrashSuite(plan, runDir, out).run();
    }

    /**
     * {@code CrashSuite [--long] [--rounds N] [--negative N] [--pauses 30s,120s] [--rate R] [--dir DIR]}: options
     * after {@code --long} change the long plan.
     *
     * @param args command line.
     * @throws Exception if the run could not be carried out.
     */
    public static void main(final String[] args) throws Exception
    {
        CrashPlan plan = CrashPlan.fast();
        Path dir = null;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--long" -> plan = CrashPlan.longRun();
                    case "--dir" -> dir = Path.of(args[++i]);
                    case "--rounds" -> plan = plan.withRounds(Integer.parseInt(args[++i]));
                    case "--negative" -> plan = plan.withNegativeHits(Integer.parseInt(args[++i]));
                    case "--rate" -> plan = plan.withRate(Integer.parseInt(args[++i]));
                    case "--pauses" ->
                    {
                        final String[] pauses = args[++i].split(",");
                        plan = plan.withPauses(Settings.parseDurationMs("--pauses", pauses[0]),
                            Settings.parseDurationMs("--pauses", pauses[pauses.length - 1]));
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("crash-suite: " + ex.getMessage());
            System.err.println("usage: crash-suite [--long] [--rounds N] [--negative N] [--pauses 30s,120s] " +
                "[--rate R] [--dir DIR]");
            System.exit(2);
        }
        final Path runDir = null == dir ? Files.createTempDirectory("ricochet-crash-") : dir;
        Files.createDirectories(runDir);
        System.out.println("crash suite: " + plan + " in " + runDir);
        final CrashTally tally = run(plan, runDir, System.out);
        tally.print(System.out);
        System.exit(tally.passed() ? 0 : 1);
    }

    private CrashTally run() throws Exception
    {
        startMs = System.currentTimeMillis();
        final Path ackDir = runDir.resolve("acks");
        service = new ServiceSupervisor(runDir.resolve("data"), runDir.resolve("service.log"));
        try
        {
            requireHealthy(service.start(settings(null)));
            Seeder.seed(service, PARTNERS);
            generator = GeneratorProcess.start(LoadOptions.forSeededShop(service.trackerPort, ackDir,
                plan.rate(), 8, 1, PARTNERS, "crash" + Long.toString(startMs, 36), 3_000),
                runDir.resolve("generator.log"), out);
            boolean isRunning = true;
            final Deque<Step> steps = new ArrayDeque<>(schedule());
            while (!steps.isEmpty())
            {
                final Step step = steps.removeFirst();
                if (Kind.NEGATIVE == step.kind() &&
                    0 == tally.hits(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES))
                {
                    // Every batch of the negative control must change state, so that a doubled one shows: clicks only.
                    generator.mix(100, 0);
                }
                if (!isRunning)
                {
                    final int status = service.start(settings(step));
                    if (-1 != status)
                    {
                        // The armed point fired while the incarnation recovered (replaying its backlog).
                        auditLater(step, recordExit(step, status));
                        continue;
                    }
                }
                final int missesBefore = misses(step);
                auditLater(step, execute(step));
                isRunning = false;
                if (misses(step) > missesBefore && misses(step) <= CrashTally.MAX_MISSES_PER_HIT * plan.rounds())
                {
                    // A miss proves nothing: arm the point again in the next incarnation.
                    steps.addFirst(step);
                }
            }
            finish(ackDir);
        }
        finally
        {
            if (null != generator)
            {
                generator.close();
            }
            service.close();
            auditor.shutdownNow();
        }
        tally.elapsedMs = System.currentTimeMillis() - startMs;
        return tally;
    }

    private int misses(final Step step)
    {
        return null == step.point() ? 0 : tally.missed.getOrDefault(step.point(), 0);
    }

    private List<Step> schedule()
    {
        final List<Step> steps = new ArrayList<>();
        for (int round = 0; round < plan.rounds(); round++)
        {
            // A SIGKILL first: the seeding incarnation is unarmed.
            for (int k = 0; k < plan.sigkillsPerRound(); k++)
            {
                steps.add(new Step(Kind.SIGKILL, null));
            }
            for (final CrashPoints.Point point : CrashPoints.Point.values())
            {
                if (CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES != point)
                {
                    steps.add(new Step(Kind.POINT, point));
                }
            }
            if (0 == round && (plan.edgePauseMs() > 0 || plan.aggregatorPauseMs() > 0))
            {
                steps.add(new Step(Kind.PAUSE, null));
            }
        }
        if (steps.isEmpty() || Kind.SIGKILL != steps.get(0).kind())
        {
            steps.add(0, new Step(Kind.SIGKILL, null));
        }
        for (int n = 0; n < plan.negativeHits(); n++)
        {
            steps.add(new Step(Kind.NEGATIVE, CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES));
        }
        return steps;
    }

    private Map<String, String> settings(final Step step)
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put(Journal.ROLL_CYCLE_PROP_NAME, ROLL_CYCLE);
        if (null != step && null != step.point())
        {
            settings.put(CrashPoints.POINTS_PROP_NAME, step.point().label());
            settings.put(CrashPoints.ONE_IN_PROP_NAME, Integer.toString(oneIn(step.point())));
            settings.put(CrashPoints.DELAY_PROP_NAME, plan.armDelayMs() + "ms");
            if (Kind.NEGATIVE == step.kind())
            {
                settings.put(CrashPoints.SPLIT_CHECKPOINT_PROP_NAME, "true");
            }
        }
        if (null != step && Kind.PAUSE == step.kind() && plan.aggregatorPauseMs() > 0)
        {
            settings.put(CrashPoints.AGGREGATOR_FREEZE_PROP_NAME, plan.aggregatorPauseMs() + "ms");
            settings.put(CrashPoints.DELAY_PROP_NAME, freezeDelayMs() + "ms");
        }
        return settings;
    }

    /**
     * How rare a halt is once armed: about half a second's worth of passes, so the moment is random but near.
     */
    private int oneIn(final CrashPoints.Point point)
    {
        return switch (point)
        {
            case EDGE_BEFORE_APPEND, EDGE_INSIDE_APPEND, EDGE_AFTER_APPEND -> Math.max(1, plan.rate() / 2);
            case EDGE_CYCLE_ROLL -> 2;
            default -> 10;
        };
    }

    /**
     * @return true if the step's crash point fired.
     */
    private boolean execute(final Step step) throws IOException, InterruptedException
    {
        switch (step.kind())
        {
            case SIGKILL ->
            {
                Thread.sleep(plan.armDelayMs() + ThreadLocalRandom.current().nextLong(plan.armDelayMs()));
                service.kill();
                tally.kills++;
                log("SIGKILL");
                return false;
            }
            case POINT, NEGATIVE ->
            {
                final int status = service.awaitExit(plan.crashTimeoutMs());
                if (-1 != status)
                {
                    return recordExit(step, status);
                }
                tally.missed.merge(step.point(), 1, Integer::sum);
                service.kill();
                tally.kills++;
                log(step.point().label() + " did not fire; SIGKILL");
                return false;
            }
            default ->
            {
                pause();
                service.kill();
                tally.kills++;
                return false;
            }
        }
    }

    /**
     * Edge and aggregator are one process: the aggregator's freeze is its thread frozen in-process (set at start,
     * from the arm delay on) while the edge goes on journaling; the edge's is a SIGSTOP of the whole process. After
     * each the aggregator's lag must drain.
     */
    private void pause() throws IOException, InterruptedException
    {
        if (plan.aggregatorPauseMs() > 0)
        {
            final String announced = service.awaitLogLine(CrashPoints.AGGREGATOR_FREEZE_LOG_LINE, 60_000);
            if (null == announced)
            {
                throw new IllegalStateException("the aggregator's freeze was not announced within 60 s");
            }
            final long freezeEndMs = Long.parseLong(announced.substring(0, announced.indexOf(' '))) +
                plan.aggregatorPauseMs();
            long maxLag = 0;
            long watchedMs = 0;
            while (System.currentTimeMillis() < freezeEndMs)
            {
                maxLag = Math.max(maxLag, service.aggregatorLag());
                Thread.sleep(200);
                watchedMs += 200;
            }
            drained("aggregator frozen " + plan.aggregatorPauseMs() + " ms with the edge serving, lag up to " + maxLag,
                service.awaitLagDrained(Math.max(60_000, plan.aggregatorPauseMs())));
            if (0 == maxLag && watchedMs >= 1000)
            {
                tally.failures.add("no lag built up while the aggregator was frozen: was the edge serving?");
            }
        }
        if (plan.edgePauseMs() > 0)
        {
            Thread.sleep(plan.armDelayMs());
            service.pause();
            Thread.sleep(plan.edgePauseMs());
            service.resume();
            drained("SIGSTOP of the service " + plan.edgePauseMs() + " ms",
                service.awaitLagDrained(Math.max(60_000, plan.edgePauseMs())));
        }
    }

    /**
     * Long enough after start for the incarnation to be serving, so that the freeze happens under load.
     */
    private long freezeDelayMs()
    {
        return 3 * plan.armDelayMs();
    }

    private void drained(final String what, final long drainMs)
    {
        tally.pauses++;
        tally.drainMs.add(drainMs);
        if (drainMs < 0)
        {
            tally.failures.add("aggregator lag did not drain after: " + what);
        }
        log(what + ", then lag drained in " + drainMs + " ms");
    }

    /**
     * @return true if the exit was the step's crash point.
     */
    private boolean recordExit(final Step step, final int status)
    {
        final CrashPoints.Point point = CrashPoints.fromExitStatus(status);
        if (null == point || point != step.point())
        {
            tally.failures.add("service exited with status " + status + " while " + step + " was armed");
            return false;
        }
        tally.hits.merge(point, 1, Integer::sum);
        log("crash point " + point.label() + " fired (" + tally.hits(point) + ")");
        return true;
    }

    /**
     * The service is dead: keep a copy of its state and audit it in the background while the next incarnation runs.
     */
    private void auditLater(final Step step, final boolean fired) throws IOException
    {
        final Path stateDir = service.dataDir.resolve("state");
        final Path work = runDir.resolve("audit-" + audits.size());
        copyRecursively(stateDir, work.resolve("live"));
        if (Kind.NEGATIVE == step.kind())
        {
            // Start the next incarnation from a state rebuilt from the journal, not from the corrupted one.
            deleteRecursively(stateDir);
        }
        audits.add(auditor.submit(() -> new Audit(step, fired, audit(work))));
    }

    /**
     * A dead incarnation's state must be exactly what a fresh aggregator makes of the journal up to the state's
     * checkpoint. The journal is append-only, so the running next incarnation does not change that prefix.
     */
    private StateAudit.Diff audit(final Path work) throws IOException, InterruptedException
    {
        final long position = StateAudit.journalPosition(work.resolve("live"));
        Replay.prefix(service.dataDir.resolve("journal"), rollCycle, position, work.resolve("replay"));
        final StateAudit.Diff diff = StateAudit.compare(work.resolve("live"), work.resolve("replay").resolve("state"));
        deleteRecursively(work);
        return diff;
    }

    private void count(final Audit audit)
    {
        tally.audits++;
        if (Kind.NEGATIVE == audit.step().kind())
        {
            if (audit.fired() && !audit.diff().isIdentical())
            {
                tally.negativeCaught++;
                log("negative control caught: " + audit.diff());
            }
            else if (audit.fired())
            {
                tally.failures.add("negative control NOT caught after its crash point fired: " + audit.diff());
            }
            return;
        }
        tally.doubled += audit.diff().doubled;
        if (!audit.diff().isIdentical())
        {
            tally.mismatchedAudits++;
            tally.failures.add("after " + audit.step() + ": state differs from its replay: " + audit.diff());
        }
    }

    private void finish(final Path ackDir) throws Exception
    {
        requireHealthy(service.start(settings(null)));
        final Map<String, Long> sent = generator.stop();
        if (service.awaitLagDrained(120_000) < 0)
        {
            tally.failures.add("aggregator lag did not drain at the end");
        }
        service.stop();
        for (final Future<Audit> audit : audits)
        {
            count(audit.get());
        }
        final Path work = runDir.resolve("audit-final");
        copyRecursively(service.dataDir.resolve("state"), work.resolve("live"));
        count(new Audit(new Step(Kind.SIGKILL, null), false, audit(work)));

        final JournalAudit journal = JournalAudit.scan(service.dataDir.resolve("journal"), rollCycle);
        final AckLog acks = AckLog.check(ackDir, journal);
        tally.sentClicks = sent.getOrDefault("click.sent", 0L);
        tally.ackedClicks = acks.ackedClicks;
        tally.ackedOrders = acks.ackedOrders;
        tally.journaledClicks = journal.clicks;
        tally.journaledOrders = journal.conversions;
        tally.duplicateClicks = journal.duplicateClicks;
        tally.duplicateOrders = journal.duplicateOrders;
        tally.lost += acks.lost();
        if (acks.lost() > 0)
        {
            tally.failures.add("acknowledged but not journaled: " + acks.missingSamples);
        }
        if (journal.clicks > tally.sentClicks)
        {
            tally.failures.add("more clicks journaled (" + journal.clicks + ") than requests sent (" +
                tally.sentClicks + ")");
        }
        // Independent of the aggregator's code: its counters against a plain count of the journal.
        final Reconciliation counted = Reconciliation.of(journal, service.dataDir, rollCycle);
        tally.doubled += counted.doubled();
        tally.lost += counted.uncounted();
        if (0 != counted.doubled() || 0 != counted.uncounted())
        {
            tally.failures.add("aggregator counters differ from the journal: " + counted);
        }
    }

    private void log(final String line)
    {
        out.printf("crash suite %6.1fs: %s%n", (System.currentTimeMillis() - startMs) / 1000.0, line);
    }

    static void requireHealthy(final int status)
    {
        if (-1 != status)
        {
            throw new IllegalStateException("the service exited with status " + status + " during start-up");
        }
    }

    private static void copyRecursively(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : paths.toList())
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target);
                }
            }
        }
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
