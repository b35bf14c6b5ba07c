package dev.ricochet.aggregator;

import dev.ricochet.aggregator.fraud.FraudFlag;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.CommissionTable;
import dev.ricochet.aggregator.payout.PayoutRunTable;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.ingest.ConversionEventFlyweight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The conversion fraud checks as the aggregator applies them from a real journal into a real RocksDB: a commission
 * that fails one accrues held, carrying the reasons, is left out of payout runs, and goes on only by finance's
 * decision.
 *
 * <p>The program pays 10% and approves at once (holdDays 0), so a commission that is not held is approved in the
 * same step; its checks are the defaults but for a minimum of 4 sales before the refund rate is judged.
 */
class FraudFlagsTest extends LedgerScript
{
    private static final String PROGRAM = "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
        "\"holdDays\":0,\"minPayout\":1";
    private static final String CHECKS = ",\"fraud\":{\"minClickToConversionSeconds\":10,\"selfReferral\":true," +
        "\"maxRefundRatePercent\":30,\"refundRateWindowDays\":30,\"refundRateMinSales\":4}";
    private static final String ALICE_AS_CUSTOMER = ",\"email\":\"alice@example.com\",\"customerIds\":[\"cus_A1\"]";
    private static final String SHA_256_OF_ALICE_EMAIL =
        HexFormat.of().formatHex(sha256("alice@example.com"));

    @Test
    void shouldHoldACommissionWhoseConversionCameSoonerAfterItsClickThanTheProgramsMinimum()
    {
        // Given a program whose shoppers need at least 10 s from click to conversion
        program(PROGRAM + CHECKS);

        // When a sale is reported 3.2 s after its click
        sale("o1", 10_000, click(T0), T0 + 3_200);
        apply();

        // Then its commission accrues held (not pending, never approved), flagged with what was measured
        assertEquals(List.of("accrual:1000:null->held"), entries());
        assertEquals(1000, account().held());
        assertEquals(List.of(new FraudFlag("click_to_conversion",
            "conversion 3.2 s after its click; the program's minimum is 10 s")), commission("o1", T0 + 3_200).flags());
    }

    @Test
    void shouldAccrueAsUsualAConversionThatCameExactlyTheMinimumAfterItsClick()
    {
        // Given the 10 s minimum
        program(PROGRAM + CHECKS);

        // When a sale is reported 10 s after its click
        sale("o1", 10_000, click(T0), T0 + 10_000);
        apply();

        // Then its commission is not flagged and is approved at once
        assertEquals(List.of("accrual:1000:null->pending", "approval:1000:pending->approved"), entries());
        assertNull(commission("o1", T0 + 10_000).flags());
    }

    @Test
    void shouldAccrueAsUsualAQuickConversionWhenTheProgramTurnsTheCheckOff()
    {
        // Given a program whose minimum click-to-conversion time is 0: the check is off
        program(PROGRAM + ",\"fraud\":{\"minClickToConversionSeconds\":0}");

        // When a sale is reported 1 ms after its click
        sale("o1", 10_000, click(T0), T0 + 1);
        apply();

        // Then its commission is approved at once
        assertEquals(1000, account().approved());
    }

    @Test
    void shouldLeaveEveryCheckOffForAProgramJournaledBeforeTheChecksExisted()
    {
        // Given a program in the journal without fraud settings (a journal older than the checks)
        program(PROGRAM, ALICE_AS_CUSTOMER);

        // When alice's own sale is reported 1 s after the click
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, "cus_A1", T0 + 1_000);
        apply();

        // Then it is paid as it was before the checks: a replay of an old journal makes the same decisions
        assertEquals(1000, account().approved());
    }

    static Stream<Arguments> ownCustomerIds()
    {
        return Stream.of(
            // a referral program that made a customer a partner under the customer's own id
            Arguments.of("alice", "partner id"),
            // an S2S integration passing the email as the customer id, in any case
            Arguments.of("Alice@Example.COM", "email"),
            // an integration passing the SHA-256 of the trimmed, lower-cased email
            Arguments.of(SHA_256_OF_ALICE_EMAIL, "email's SHA-256"),
            // the partner's Stripe customer, listed by the admin
            Arguments.of("cus_A1", "customer id"),
            // look-alikes of her email: a zero-width space, a fullwidth '@', a soft hyphen, a bidi mark, a subaddress
            Arguments.of("alice\u200B@example.com", "email"),
            Arguments.of("alice\uFF20example.com", "email"),
            Arguments.of("ali\u00ADce@example.com", "email"),
            Arguments.of("\u200Ealice@\uFF45xample.com", "email"),
            Arguments.of("alice+promo@example.com", "email"),
            // her hashed email in capitals, with a zero-width space inside
            Arguments.of(SHA_256_OF_ALICE_EMAIL.substring(0, 10).toUpperCase(Locale.ROOT) + "\u200B" +
                SHA_256_OF_ALICE_EMAIL.substring(10), "email's SHA-256"),
            // look-alikes of her id and her listed customer id: a zero-width joiner, fullwidth letters
            Arguments.of("ali\u200Dce", "partner id"),
            Arguments.of("\uFF43us_A1", "customer id"));
    }

    @Test
    void shouldHoldASelfReferralWhoseCustomerIsTheSameGmailMailboxWrittenWithDots()
    {
        // Given a partner whose email is at Gmail, which ignores dots and +tags in the local part
        program(PROGRAM + CHECKS, ",\"email\":\"alice.smith@gmail.com\"");

        // When a sale through her link names the same mailbox, written another way, at googlemail.com
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, "A.liceSmith+shop@googlemail.com",
            T0 + HOUR_MS);
        apply();

        // Then the commission is held as a self-referral
        assertEquals(List.of(new FraudFlag("self_referral", "the customer is the partner itself (its email)")),
            commission("o1", T0 + HOUR_MS).flags());
    }

    @Test
    void shouldAccrueAsUsualASaleToAnAddressThatDiffersOnlyInDotsAtAProviderOtherThanGmail()
    {
        // Given alice@example.com: at a provider other than Gmail a dot makes another mailbox
        program(PROGRAM + CHECKS, ALICE_AS_CUSTOMER);

        // When a sale names a.lice@example.com
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, "a.lice@example.com",
            T0 + HOUR_MS);
        apply();

        // Then it is not flagged
        assertNull(commission("o1", T0 + HOUR_MS).flags());
    }

    @ParameterizedTest
    @MethodSource("ownCustomerIds")
    void shouldHoldASelfReferralWhoseCustomerIsThePartner(final String customerId, final String matched)
    {
        // Given alice with an email and a customer id at the merchant
        program(PROGRAM + CHECKS, ALICE_AS_CUSTOMER);

        // When a sale through her link an hour after the click names her as the customer
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, customerId, T0 + HOUR_MS);
        apply();

        // Then the commission is held as a self-referral, saying what matched
        assertEquals(List.of("accrual:1000:null->held"), entries());
        assertEquals(List.of(new FraudFlag("self_referral", "the customer is the partner itself (its " + matched +
            ")")), commission("o1", T0 + HOUR_MS).flags());
    }

    @Test
    void shouldAccrueAsUsualASaleToSomeoneElse()
    {
        // Given alice with an email and a customer id at the merchant
        program(PROGRAM + CHECKS, ALICE_AS_CUSTOMER);

        // When a sale names another customer
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, "cus_B2", T0 + HOUR_MS);
        apply();

        // Then it is approved at once
        assertEquals(1000, account().approved());
    }

    @Test
    void shouldHoldNewCommissionsOfAPartnerWhoseRefundsExceedTheMaximumRate()
    {
        // Given four sales of 100.00, two of them refunded in full: 50% of the revenue of the last 30 days
        program(PROGRAM + CHECKS);
        for (int i = 1; i <= 4; i++)
        {
            sale("o" + i, 10_000, click(T0 + i * HOUR_MS), T0 + i * HOUR_MS + 60_000);
        }
        refund("r1", 10_000, "o1", T0 + 5 * HOUR_MS);
        refund("r2", 10_000, "o2", T0 + 5 * HOUR_MS);

        // When a fifth sale arrives (five sales, 200.00 of 500.00 refunded: 40%)
        sale("o5", 10_000, click(T0 + 6 * HOUR_MS), T0 + 6 * HOUR_MS + 60_000);
        apply();

        // Then its commission is held, saying the rate, while the earlier ones stay approved
        assertEquals(List.of(new FraudFlag("refund_rate", "refunds of 40% of its revenue over the last 30 days " +
            "(5 sales); the program's maximum is 30%")), commission("o5", T0 + 6 * HOUR_MS + 60_000).flags());
        assertEquals(Commission.APPROVED, commission("o4", T0 + 4 * HOUR_MS + 60_000).state());
        assertEquals(1000, account().held());
        assertEquals(2000, account().approved());
    }

    @Test
    void shouldNotJudgeTheRefundRateBeforeThePartnerHasTheMinimumNumberOfSales()
    {
        // Given two sales of 100.00, one refunded in full
        program(PROGRAM + CHECKS);
        sale("o1", 10_000, click(T0), T0 + 60_000);
        sale("o2", 10_000, click(T0 + HOUR_MS), T0 + HOUR_MS + 60_000);
        refund("r1", 10_000, "o1", T0 + 2 * HOUR_MS);

        // When a third sale arrives (a third refunded, but only 3 of the 4 sales the program needs to judge)
        sale("o3", 10_000, click(T0 + 3 * HOUR_MS), T0 + 3 * HOUR_MS + 60_000);
        apply();

        // Then it is approved as usual
        assertNull(commission("o3", T0 + 3 * HOUR_MS + 60_000).flags());
        assertEquals(2000, account().approved());
    }

    @Test
    void shouldReportAHeldCommissionWithItsFlagsOnThePartnersTimeline()
    {
        // Given the default checks
        program(PROGRAM + CHECKS, ALICE_AS_CUSTOMER);

        // When alice's own sale is reported 2 s after her click
        conversion(ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click(T0), null, "cus_A1", T0 + 2_000);
        apply();

        // Then her timeline says the commission is held, why, and by which checks
        final TimelineEvent held = timeline().get(0);
        assertEquals("commission.held", held.type());
        assertEquals("o1", held.data().get("externalId"));
        assertEquals(1000, ((Number)held.data().get("amount")).intValue());
        assertEquals("conversion 2.0 s after its click; the program's minimum is 10 s; the customer is the partner " +
            "itself (its customer id)", held.data().get("reason"));
        assertEquals(List.of("click_to_conversion", "self_referral"), codes(held.data().get("flags")));
    }

    @Test
    void shouldLeaveAHeldCommissionOutOfPayoutRunsUntilFinanceReleasesIt()
    {
        // Given a held commission (a sale 3 s after its click) and an approved one
        program(PROGRAM + CHECKS);
        sale("o1", 10_000, click(T0), T0 + 3_000);
        sale("o2", 20_000, click(T0 + HOUR_MS), T0 + 2 * HOUR_MS);

        // When a run is built and paid, finance then releases the held commission, and the next day's run is paid
        payoutRun("run-1", "2025-11-08", T0 + 3 * HOUR_MS);
        approveRun("run-1", T0 + 4 * HOUR_MS);
        review("o1", T0 + 3_000, "release", T0 + 5 * HOUR_MS);
        tick(DAY0 + 1);
        payoutRun("run-2", "2025-11-09", T0 + DAY_MS);
        approveRun("run-2", T0 + DAY_MS + HOUR_MS);
        apply();

        // Then the first run paid only the approved commission and the second the released one
        assertEquals(2000, new PayoutRunTable(store).find("run-1").total());
        assertEquals(1000, new PayoutRunTable(store).find("run-2").total());
        assertEquals(List.of("accrual:1000:null->held", "accrual:2000:null->pending",
            "approval:2000:pending->approved", "payout_scheduled:2000:approved->scheduled",
            "payout:2000:scheduled->paid", "release:1000:held->approved", "payout_scheduled:1000:approved->scheduled",
            "payout:1000:scheduled->paid"), entries());
        assertEquals(3000, account().paid());
    }

    @Test
    void shouldReverseARefundOfAHeldCommissionFromTheHeldBalanceAndReleaseWhatIsLeft()
    {
        // Given a held commission of 10.00
        program(PROGRAM + CHECKS);
        sale("o1", 10_000, click(T0), T0 + 3_000);

        // When 40% of the sale is refunded, then finance releases the commission
        refund("r1", 4_000, "o1", T0 + HOUR_MS);
        review("o1", T0 + 3_000, "release", T0 + 2 * HOUR_MS);
        apply();

        // Then the refund is taken from held and the release moves the remaining 6.00 to approved
        assertEquals(List.of("accrual:1000:null->held", "reversal:-400:null->held", "release:600:held->approved"),
            entries());
        assertEquals(0, account().held());
        assertEquals(600, account().approved());
    }

    @Test
    void shouldKeepAHeldCommissionInTheProgramsReviewQueueUntilFinanceVoidsIt()
    {
        // Given a held commission of 10.00
        program(PROGRAM + CHECKS);
        sale("o1", 10_000, click(T0), T0 + 3_000);
        apply();
        final List<CommissionKey> queuedWhileHeld = reviewQueue();

        // When finance voids it
        review("o1", T0 + 3_000, "void", T0 + HOUR_MS);
        apply();

        // Then it was queued while held, and is gone from the queue and worth nothing once void, by a void entry
        assertEquals(List.of(new CommissionKey(ALICE, T0 + 3_000, 1, "o1")), queuedWhileHeld);
        assertEquals(List.of(), reviewQueue());
        assertEquals(List.of("accrual:1000:null->held", "void:-1000:null->held"), entries());
        assertEquals(0, account().held());
        assertEquals(Commission.VOID, commission("o1", T0 + 3_000).state());
    }

    private List<CommissionKey> reviewQueue()
    {
        final List<CommissionKey> keys = new ArrayList<>();
        new CommissionTable(store).forEachHeld(1, keys::add);
        return keys;
    }

    private static List<Object> codes(final Object flags)
    {
        final List<Object> codes = new ArrayList<>();
        for (final Object flag : (List<?>)flags)
        {
            codes.add(((Map<?, ?>)flag).get("code"));
        }
        return codes;
    }

    private static byte[] sha256(final String text)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
