using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace HubRx.ReferenceServer;

/// <summary><c>/authorizedhub</c>: every request (negotiate included) needs a valid bearer token, else 401.</summary>
[Authorize(Policy = Auth.RequireUserPolicy)]
public sealed class AuthorizedHub : Hub
{
    public string Echo(string message) => message;

    public string GetUserIdentifier() => Context.UserIdentifier!;
}
