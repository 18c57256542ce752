using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace HubRx.ReferenceServer;

/// <summary><c>/echo</c>: a raw connection (no hub protocol, no handshake) that writes back every payload it reads.</summary>
public sealed class EchoConnectionHandler : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            try
            {
                if (!buffer.IsEmpty)
                {
                    foreach (var segment in buffer)
                    {
                        output.Write(segment.Span);
                    }

                    var flush = await output.FlushAsync();
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
            finally
            {
                input.AdvanceTo(buffer.End);
            }
        }
    }
}
