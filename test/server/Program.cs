using System.Globalization;
using HubRx.ReferenceServer;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

// The hubrx ASP.NET Core reference server (contract: /work/shared/test-hub.md, notes: README.md).
//   dotnet HubRx.ReferenceServer.dll --urls http://127.0.0.1:0 [--exit-on-stdin-eof]
// prints "Now listening on: http://127.0.0.1:<port>" when ready.

const string ExitOnStdinEof = "--exit-on-stdin-eof";

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(arg => arg != ExitOnStdinEof).ToArray(),
    ContentRootPath = AppContext.BaseDirectory,
});

// Quiet, except for the "Now listening on:" line the test harness waits for.
// (Override from the command line, e.g. --Logging:LogLevel:Default=Debug.)
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
// "No XML encryptor configured": irrelevant for in-memory keys.
builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

// Don't wait long for open connections (long polls, WebSockets) when the harness stops the server.
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));

builder.Services
    .AddSignalR(options =>
    {
        options.EnableDetailedErrors = true;
        // A hub method may await a client result (AskClient) while another invocation is in flight.
        options.MaximumParallelInvocationsPerClient = 2;
    })
    .AddHubOptions<ClientResultHub>(options =>
    {
        // ASP.NET Core's default: one invocation at a time, to see what client results do with it.
        options.MaximumParallelInvocationsPerClient = 1;
    })
    .AddJsonProtocol(options => options.PayloadSerializerOptions.PropertyNamingPolicy = null)
    .AddMessagePackProtocol();

builder.Services.AddTestAuthentication();

// Nothing here needs persistent data protection keys: keep them in memory (no key files under ~/.aspnet).
builder.Services.AddDataProtection();
builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = new InMemoryXmlRepository());

var app = builder.Build();

// Every path containing "/negotiate" (also under /redirect and /bad-negotiate) sets the test cookies, plus an
// already expired cookie that clients must not send back (as the official functional tests' server does).
app.Use((context, next) =>
{
    if (context.Request.Path.Value?.Contains("/negotiate", StringComparison.Ordinal) == true)
    {
        context.Response.Cookies.Append("testCookie", "testValue");
        context.Response.Cookies.Append("testCookie2", "testValue2");
        context.Response.Cookies.Append(
            "expiredCookie",
            "doesntmatter",
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddHours(-1) });
    }

    return next(context);
});

// CORS for browser-hosted clients (as in the official functional tests): reflect any Origin, allow credentials,
// answer every preflight with 204. Test use only.
app.Use((context, next) =>
{
    var request = context.Request;
    var headers = context.Response.Headers;
    if (!string.IsNullOrEmpty(request.Headers.Origin))
    {
        headers.AccessControlAllowOrigin = request.Headers.Origin;
        headers.AccessControlAllowCredentials = "true";
        if (!string.IsNullOrEmpty(request.Headers.AccessControlRequestMethod))
        {
            headers.AccessControlAllowMethods = request.Headers.AccessControlRequestMethod;
        }

        if (!string.IsNullOrEmpty(request.Headers.AccessControlRequestHeaders))
        {
            headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
        }
    }

    if (HttpMethods.IsOptions(request.Method))
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    return next(context);
});

app.UseAuthentication();
app.UseRejectInvalidTokens();

// /echoredirect/... answers 307 to the same path under /echo (as in the official functional tests).
app.Use((context, next) =>
{
    if (context.Request.Path.StartsWithSegments("/echoredirect", out var rest))
    {
        context.Response.Redirect("/echo" + rest + context.Request.QueryString, permanent: false, preserveMethod: true);
        return Task.CompletedTask;
    }

    return next(context);
});

// /redirect?baseUrl=X (any method, any sub-path, so /redirect/negotiate too) answers a negotiate redirect to
// X/testhub, numbering the redirects. Same body shape as the official server (no accessToken, no Content-Type).
var redirects = 0;
app.Use((context, next) =>
{
    if (context.Request.Path.StartsWithSegments("/redirect"))
    {
        var count = Interlocked.Increment(ref redirects);
        var url = context.Request.Query["baseUrl"] + "/testhub?numRedirects=" + count.ToString(CultureInfo.InvariantCulture);
        return context.Response.WriteAsync("{ \"url\": \"" + url + "\" }");
    }

    return next(context);
});

// /bad-negotiate (any sub-path): 400 with a text body.
app.Use((context, next) =>
{
    if (context.Request.Path.StartsWithSegments("/bad-negotiate"))
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsync("Some response from server");
    }

    return next(context);
});

app.UseRouting();
app.UseAuthorization();

app.MapHub<TestHub>("/testhub", options => options.AllowStatefulReconnects = true);
app.MapHub<TestHub>(
    "/testhub-nowebsockets",
    options => options.Transports = HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling);
app.MapHub<AuthorizedHub>("/authorizedhub");
app.MapHub<ClientResultHub>("/clientresulthub");
app.MapConnectionHandler<EchoConnectionHandler>("/echo");

app.MapGet("/generateJwtToken", (string? user, int? expiresInSeconds) =>
    TestJwt.Issue(
        string.IsNullOrEmpty(user) ? TestJwt.DefaultUser : user,
        expiresInSeconds ?? TestJwt.DefaultLifetimeSeconds));

// Invokes the client method "Result" on that connection and answers its int result, or the error's message.
app.MapGet("/clientresult/{connectionId}", async (IHubContext<TestHub> hub, string connectionId) =>
{
    try
    {
        var result = await hub.Clients.Client(connectionId).InvokeAsync<int>("Result", CancellationToken.None);
        return result.ToString(CultureInfo.InvariantCulture);
    }
    catch (Exception ex)
    {
        return ex.Message;
    }
});

if (args.Contains(ExitOnStdinEof))
{
    // Started by a test harness: exit when it goes away (our stdin closes), even if it could not stop us.
    var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
    _ = Task.Run(async () =>
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (await stdin.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        lifetime.StopApplication();
    });
}

app.Run();
