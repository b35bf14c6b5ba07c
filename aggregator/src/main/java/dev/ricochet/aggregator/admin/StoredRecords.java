package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;

/**
 * Committed records more than one resource reads: a partner's account, a conversion's commission key and a
 * commission. Reads committed state only.
 */
final class StoredRecords
{
    static final TypeReference<ConversionRecord> CONVERSION_RECORD = new TypeReference<>()
    {
    };

    private final StateStore store;

    /**
     * @param store committed state.
     */
    StoredRecords(final StateStore store)
    {
        this.store = store;
    }

    PartnerAccount account(final int partnerNumber)
    {
        final byte[] stored = store.get(StateStore.Family.PARTNER_STATE, Ledger.partnerKey(partnerNumber));
        return null == stored ? PartnerAccount.empty() : CatalogJson.read(stored, PartnerAccount.class);
    }

    CommissionKey commissionKey(final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final String externalId)
    {
        final byte[] stored = store.conversion(program.number(), externalId);
        if (null == stored)
        {
            return null;
        }
        final ConversionRecord record = CatalogJson.read(stored, CONVERSION_RECORD);
        return new CommissionKey(partner.number(), record.timeMs(), program.number(), record.externalId());
    }

    Commission committedCommission(final CommissionKey key)
    {
        final byte[] stored = store.get(StateStore.Family.COMMISSIONS, key.toBytes());
        return null == stored ? null : CatalogJson.read(stored, Commission.class);
    }
}
