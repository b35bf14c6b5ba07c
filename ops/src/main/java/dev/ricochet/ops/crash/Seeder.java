package dev.ricochet.ops.crash;

import java.io.IOException;

/**
 * The catalog the crash suite and the soak run against: one program taking Stripe checkouts, partners
 * {@code partner<i>} with links {@code p<i>-l<j>}, created through the admin API as an operator would.
 */
final class Seeder
{
    static final String PROGRAM = "shop";
    static final String STRIPE_SECRET = "whsec_crash_suite_0123456789";
    static final String CLICK_PARAM = "rcid";
    static final int PARTNERS = 20;
    static final int LINKS_PER_PARTNER = 2;

    private Seeder()
    {
    }

    /**
     * @param partners how many partners, each with {@link #LINKS_PER_PARTNER} links.
     */
    static void seed(final ServiceSupervisor service, final int partners) throws IOException, InterruptedException
    {
        service.put("/v1/programs/" + PROGRAM, "{\"name\":\"Crash suite shop\",\"currency\":\"USD\"," +
            "\"clickParam\":\"" + CLICK_PARAM + "\",\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"apiKey\":\"crash-suite-api-key\",\"stripe\":\"" + STRIPE_SECRET + "\"}}");
        for (int p = 0; p < partners; p++)
        {
            service.put("/v1/partners/partner" + p,
                "{\"programId\":\"" + PROGRAM + "\",\"name\":\"Partner " + p + "\",\"status\":\"active\"}");
            for (int l = 0; l < LINKS_PER_PARTNER; l++)
            {
                service.put("/v1/links/p" + p + "-l" + l,
                    "{\"partnerId\":\"partner" + p + "\",\"destination\":\"https://shop.example.com/item/" + l + "\"}");
            }
        }
    }
}
