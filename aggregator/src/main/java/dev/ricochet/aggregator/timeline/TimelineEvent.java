package dev.ricochet.aggregator.timeline;

import java.util.Map;

/**
 * Something that happened to a partner, in its activity timeline and, if the program subscribes, in an outbound
 * webhook.
 *
 * @param id        unique and stable across replays: {@code evt_<partnerNumber>_<seq>}.
 * @param type      tier.upgraded, tier.downgraded, commission.held, commission.released, commission.voided or
 *                  payout.paid.
 * @param time      ISO-8601 instant, from the journal.
 * @param programId the partner's program.
 * @param partnerId the partner.
 * @param data      details of the event.
 */
public record TimelineEvent(String id, String type, String time, String programId, String partnerId,
    Map<String, Object> data)
{
}
