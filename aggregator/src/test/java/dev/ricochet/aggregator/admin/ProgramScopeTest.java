package dev.ricochet.aggregator.admin;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Walks the whole route table: every route must have a program-scope rule, so a route added later whose program
 * {@link ProgramScope} cannot find (a path parameter it does not know, or a new collection) fails here until it gets
 * one, instead of being open to a program-scoped token.
 */
class ProgramScopeTest
{
    @Test
    void shouldKnowHowToFindTheProgramOfEveryRoute()
    {
        // Given every route of the admin API
        final List<String> unknown = new ArrayList<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            // When its scope rule is looked up
            if (ProgramScope.Rule.UNKNOWN == ProgramScope.rule(route))
            {
                unknown.add(route.name() + " " + route.pattern());
            }
        }

        // Then none is unknown
        assertEquals(List.of(), unknown, "routes without a program-scope rule: give them one in ProgramScope");
    }

    @Test
    void shouldResolveEachRouteFromItsPathParameters()
    {
        // Given the rules of a few representative routes
        final List<String> rules = new ArrayList<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            rules.add(route.name() + "=" + ProgramScope.rule(route));
        }

        // Then the probes have none, the catalog and money routes resolve from their path
        for (final String expected : List.of("METRICS=NONE", "GET_PROGRAM=PATH", "PUT_PARTNER=PATH", "GET_LINK=PATH",
            "PUT_COUPON=PATH", "GET_PAYOUT_RUN=PATH", "CREATE_PAYOUT_RUN=PATH"))
        {
            assertEquals(true, rules.contains(expected), expected + " in " + rules);
        }
    }
}
