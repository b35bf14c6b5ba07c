package dev.ricochet.aggregator.admin;

import java.util.List;
import java.util.Map;

/**
 * The query parameters a route accepts. A checked query refuses an unknown parameter and one given twice (400); the
 * catalog's routes have always ignored their query string, and {@link #any()} keeps that.
 *
 * @param isChecked  true if parameters outside {@code parameters}, or given twice, are refused.
 * @param parameters the parameters the route reads, in the order it reads them.
 */
record RouteQuery(boolean isChecked, List<QueryParameter> parameters)
{
    /**
     * @return a query the route ignores, whatever it holds.
     */
    static RouteQuery any()
    {
        return new RouteQuery(false, List.of());
    }

    /**
     * @param parameters the parameters the route reads.
     * @return a query holding only these parameters, each at most once.
     */
    static RouteQuery of(final QueryParameter... parameters)
    {
        return new RouteQuery(true, List.of(parameters));
    }

    /**
     * @param name a parameter's name.
     * @return the parameter, or null if the route does not read it.
     */
    QueryParameter parameter(final String name)
    {
        for (final QueryParameter parameter : parameters)
        {
            // A name ending in '.' is a family (part 8, item 1: attr.<name>): it accepts every name it begins.
            if (parameter.name().equals(name) || parameter.name().endsWith(".") && name.startsWith(parameter.name()))
            {
                return parameter;
            }
        }
        return null;
    }

    /**
     * @param given the decoded query string.
     * @return why the query is refused (a 400), or null if the route accepts it.
     */
    String refusal(final Map<String, List<String>> given)
    {
        if (!isChecked)
        {
            return null;
        }
        for (final Map.Entry<String, List<String>> parameter : given.entrySet())
        {
            if (null == parameter(parameter.getKey()))
            {
                return "unknown query parameter '" + parameter.getKey() + "'";
            }
            if (parameter.getValue().size() > 1)
            {
                // Frameworks disagree on which of two values counts: refused rather than guessed.
                return "query parameter '" + parameter.getKey() + "' given more than once";
            }
        }
        return null;
    }
}
