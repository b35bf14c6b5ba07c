package dev.ricochet.aggregator.store;

/**
 * The tables of the state: one RocksDB column family each, under the name it has on disk. The layout of each
 * table's keys and values lives in one class of the package that owns the table (named below); {@link StateStore}
 * stores bytes.
 *
 * <p>The order is the order the families are opened in and {@link StateStore#forEachEntry} visits them.
 */
public enum Table
{
    /**
     * name (ASCII) -> value: the journal position ({@link StateStore#journalPosition()}) and a few single values
     * kept by their owners (the ledger's day, the outbox sequence).
     */
    META("meta"),
    /**
     * {@code catalog.CatalogTable}: kind + id -> JSON entity.
     */
    CATALOG("catalog"),
    /**
     * {@code attribution.ClickTable}: click id -> what attribution needs of the click.
     */
    CLICKS("clicks"),
    /**
     * {@code attribution.VisitTable}: visitor + link -> time of the last unique click.
     */
    VISITS("visits"),
    /**
     * {@code counters.CounterTable}: partner + epoch day -> counters.
     */
    COUNTERS("counters"),
    /**
     * {@code attribution.ConversionTable}: program + external id -> JSON conversion record.
     */
    CONVERSIONS("conversions"),
    /**
     * {@code attribution.ConversionTable}: partner + time + program + external id -> (empty), a partner's
     * conversions in time order.
     */
    PARTNER_CONVERSIONS("partner_conversions"),
    /**
     * {@code attribution.CustomerTable}: program + customer id -> JSON of the customer's attribution.
     */
    CUSTOMERS("customers"),
    /**
     * {@code attribution.TouchTable}: visitor + time + click id -> partner + program.
     */
    TOUCHES("touches"),
    /**
     * {@code counters.CounterTable}: epoch hour + partner -> counters, kept for a retention period.
     */
    HOUR_COUNTERS("hour_counters"),
    /**
     * {@code ledger.LedgerTable}: partner -> JSON of the partner's tier and ledger balances.
     */
    PARTNER_STATE("partner_state"),
    /**
     * {@code ledger.CommissionTable}: commission key -> JSON commission.
     */
    COMMISSIONS("commissions"),
    /**
     * {@code ledger.CommissionTable}: commission key -> (empty), commissions not yet paid or voided.
     */
    UNPAID_COMMISSIONS("unpaid_commissions"),
    /**
     * {@code ledger.CommissionTable}: approve day + commission key -> (empty).
     */
    APPROVALS_DUE("approvals_due"),
    /**
     * {@code ledger.LedgerTable}: partner + seq -> JSON ledger entry (append-only).
     */
    LEDGER("ledger"),
    /**
     * {@code timeline.TimelineTable}: partner + seq -> JSON timeline event (append-only).
     */
    TIMELINE("timeline"),
    /**
     * {@code payout.PayoutRunTable}: run id or program period -> JSON run or run id.
     */
    PAYOUT_RUNS("payout_runs"),
    /**
     * {@code timeline.OutboxTable}: seq -> JSON webhook event, deleted once delivered.
     */
    OUTBOX("outbox"),
    /**
     * {@code ledger.CommissionTable}: program + commission key -> (empty), the program's review queue.
     */
    HELD_COMMISSIONS("held_commissions"),
    /**
     * {@code audit.AuditTable}: journal index of the admin change -> the audit record (JSON).
     */
    AUDIT("audit"),
    /**
     * {@code audit.AuditTable}: (time | actor | target) + journal index -> (empty), the trail's filters.
     */
    AUDIT_INDEX("audit_index"),
    /**
     * Named API tokens: token id -> the token's record (its hash, never the token).
     */
    TOKENS("tokens"),
    /**
     * Parts of an admin change too large for one journal event, until its envelope arrives.
     */
    COMMAND_PARTS("command_parts"),
    /**
     * A program's day buckets (and per-tier day buckets), the program reports' source.
     */
    PROGRAM_COUNTERS("program_counters"),
    /**
     * {@code directory.PartnerTotals}: partner -> its lifetime counters, the directory's sort keys.
     */
    PARTNER_TOTALS("partner_totals"),
    /**
     * {@code attribution.ProgramConversionIndex}: 'C' + program + time + external id -> (empty), a program's
     * conversions in time order, the conversion list's source.
     */
    PROGRAM_INDEX("program_index");

    private final String columnFamily;

    Table(final String columnFamily)
    {
        this.columnFamily = columnFamily;
    }

    /**
     * @return the name of the table's column family on disk.
     */
    public String columnFamily()
    {
        return columnFamily;
    }
}
