# LstmService: build with the .NET SDK, run on the ASP.NET runtime as a non-root user.
#   docker build -t lstmservice .
#   docker run -d -p 8080:8080 -v lstm-data:/data lstmservice
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY Directory.Build.props ./
COPY src/Engine/LstmService.Engine.csproj src/Engine/
COPY src/Persistence/LstmService.Persistence.csproj src/Persistence/
COPY src/Api/LstmService.Api.csproj src/Api/
# For the image's own architecture (set by docker buildx and podman), so that the code is
# precompiled (ReadyToRun) for the processor it runs on.
ARG TARGETARCH
RUN RID=linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) \
    && dotnet restore src/Api/LstmService.Api.csproj -r $RID -p:PublishReadyToRun=true
COPY src/ src/
RUN RID=linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) \
    && dotnet publish src/Api/LstmService.Api.csproj -c Release -r $RID --self-contained false -p:PublishReadyToRun=true --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The database and everything the service writes live in /data, a volume; the rest is read-only.
# Port 8080 through HTTP_PORTS, as the base image sets it: ASPNETCORE_URLS beside it would log an
# "overriding HTTP_PORTS" warning at every start.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__DataFolder=/data \
    DOTNET_gcServer=0
RUN mkdir -p /data && chown 1654:1654 /data
VOLUME /data
USER 1654
EXPOSE 8080
# The runtime image has no curl: ask the service itself, through bash's /dev/tcp.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT ["dotnet", "LstmService.Api.dll"]
