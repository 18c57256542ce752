using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace HubRx.ReferenceServer;

/// <summary>
/// <c>/clientresulthub</c>: client results (<c>ISingleClientProxy.InvokeAsync</c>) where ASP.NET Core restricts them,
/// with <c>MaximumParallelInvocationsPerClient = 1</c> (set for this hub type in Program.cs; <c>/testhub</c> has 2).
/// Not part of test-hub.md: an addition documented in README.md.
/// </summary>
public sealed class ClientResultHub : Hub
{
    /// <summary>What a client result tried in <c>OnDisconnectedAsync</c> gave, by connection id.</summary>
    private static readonly ConcurrentDictionary<string, string> DisconnectedOutcomes = new();

    /// <summary>
    /// <c>?onConnected=caller</c> / <c>client</c>: a client result through <c>Clients.Caller</c> /
    /// <c>Clients.Client(own id)</c>, not caught (the connection closes with the error); <c>caught</c>: the same through
    /// <c>Clients.Caller</c>, caught, and its exception sent to the caller as <c>OnConnectedError("Type: message")</c>.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        switch (Query("onConnected"))
        {
            case "caller":
                await Clients.Caller.InvokeAsync<string>("ClientResult", "OnConnectedAsync", CancellationToken.None);
                break;
            case "client":
                await Clients.Client(Context.ConnectionId)
                    .InvokeAsync<string>("ClientResult", "OnConnectedAsync", CancellationToken.None);
                break;
            case "caught":
                try
                {
                    await Clients.Caller.InvokeAsync<string>("ClientResult", "OnConnectedAsync", CancellationToken.None);
                }
                catch (Exception ex)
                {
                    await Clients.Caller.SendAsync("OnConnectedError", Describe(ex));
                }

                break;
        }
    }

    /// <summary>
    /// <c>?onDisconnected=caller</c>: tries a client result through <c>Clients.Caller</c> and keeps what it gave
    /// (<c>DisconnectedOutcome</c> reads it).
    /// </summary>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Query("onDisconnected") != "caller")
        {
            return;
        }

        string outcome;
        try
        {
            outcome = "result: " + await Clients.Caller.InvokeAsync<string>(
                "ClientResult", "OnDisconnectedAsync", CancellationToken.None);
        }
        catch (Exception ex)
        {
            outcome = Describe(ex);
        }

        DisconnectedOutcomes[Context.ConnectionId] = outcome;
    }

    public string Echo(string message) => message;

    public string GetCallerConnectionId() => Context.ConnectionId;

    /// <summary>Returns <paramref name="ms"/> after waiting that long; gives up when the connection goes away.</summary>
    public async Task<int> Delay(int ms)
    {
        await Task.Delay(ms, Context.ConnectionAborted);
        return ms;
    }

    /// <summary><c>ClientResult(prompt)</c> on the caller through <c>Clients.Caller</c>; returns the answer.</summary>
    public Task<string> AskCaller(string prompt) =>
        Clients.Caller.InvokeAsync<string>("ClientResult", prompt, Context.ConnectionAborted);

    /// <summary><c>ClientResult(prompt)</c> on a connection through <c>Clients.Client(id)</c>; returns the answer.</summary>
    public Task<string> AskClient(string connectionId, string prompt) =>
        Clients.Client(connectionId).InvokeAsync<string>("ClientResult", prompt, Context.ConnectionAborted);

    /// <summary>Two client results in a row on the caller; returns <c>"answer1,answer2"</c>.</summary>
    public async Task<string> AskCallerTwice(string first, string second)
    {
        var one = await Clients.Caller.InvokeAsync<string>("ClientResult", first, Context.ConnectionAborted);
        var two = await Clients.Caller.InvokeAsync<string>("ClientResult", second, Context.ConnectionAborted);
        return one + "," + two;
    }

    /// <summary>What the client result tried in that connection's <c>OnDisconnectedAsync</c> gave, or null.</summary>
    public string? DisconnectedOutcome(string connectionId) =>
        DisconnectedOutcomes.TryGetValue(connectionId, out var outcome) ? outcome : null;

    private string Query(string name) => Context.GetHttpContext()?.Request.Query[name].ToString() ?? "";

    private static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message;
}
