package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.attribution.StoredConversion;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.CommissionTable;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;

/**
 * Committed records more than one resource reads: a partner's account, a conversion's commission key and a
 * commission. Reads committed state only.
 */
final class StoredRecords
{
    private final LedgerTable ledger;
    private final ConversionTable conversions;
    private final CommissionTable commissions;

    /**
     * @param store committed state.
     */
    StoredRecords(final StateStore store)
    {
        this.ledger = new LedgerTable(store);
        this.conversions = new ConversionTable(store);
        this.commissions = new CommissionTable(store);
    }

    PartnerAccount account(final int partnerNumber)
    {
        final PartnerAccount account = ledger.account(partnerNumber);
        return null == account ? PartnerAccount.empty() : account;
    }

    CommissionKey commissionKey(final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final String externalId)
    {
        final StoredConversion record = conversions.find(program.number(), externalId);
        if (null == record)
        {
            return null;
        }
        return new CommissionKey(partner.number(), record.timeMs(), program.number(), record.externalId());
    }

    Commission committedCommission(final CommissionKey key)
    {
        return commissions.find(key);
    }
}
