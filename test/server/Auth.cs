using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace HubRx.ReferenceServer;

/// <summary>
/// Bearer JWT authentication on every request: the token comes from <c>Authorization: Bearer</c> or, when that header
/// is absent, from the <c>access_token</c> query parameter (what browsers' WebSockets/EventSource have to use).
/// A valid token sets the user (its <c>sub</c> becomes the name identifier, hence <c>Context.UserIdentifier</c>);
/// a token that was presented but fails validation (bad signature, expired, garbage) is answered with 401 wherever
/// it is presented, not just on <c>/authorizedhub</c>.
/// </summary>
public static class Auth
{
    public const string RequireUserPolicy = "RequireUser";

    public static IServiceCollection AddTestAuthentication(this IServiceCollection services)
    {
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                // Keep the raw claim names ("sub"), and say explicitly which claim is which.
                options.MapInboundClaims = false;
                options.TokenValidationParameters = TestJwt.ValidationParameters();
                options.TokenValidationParameters.NameClaimType = "sub";
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        context.Token = PresentedToken(context.Request);
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        // SignalR's default IUserIdProvider reads ClaimTypes.NameIdentifier.
                        var subject = context.Principal?.FindFirst("sub")?.Value;
                        if (subject is not null && context.Principal!.Identity is ClaimsIdentity identity)
                        {
                            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, subject));
                        }

                        return Task.CompletedTask;
                    },
                };
            });

        services.AddAuthorization(options =>
        {
            options.AddPolicy(RequireUserPolicy, policy =>
            {
                policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme);
                policy.RequireAuthenticatedUser();
                policy.RequireClaim(ClaimTypes.NameIdentifier);
            });
        });

        return services;
    }

    /// <summary>After <c>UseAuthentication</c>: 401 for any request that carried a token which failed validation.</summary>
    public static IApplicationBuilder UseRejectInvalidTokens(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (PresentedToken(context.Request) is not null)
            {
                var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    // Writes 401 with WWW-Authenticate: Bearer error="invalid_token", error_description="...".
                    await context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme);
                    return;
                }
            }

            await next(context);
        });

    private static string? PresentedToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? NullIfEmpty(authorization["Bearer ".Length..].Trim())
                : null;
        }

        return NullIfEmpty(request.Query["access_token"].ToString());
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
