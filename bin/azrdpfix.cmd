@echo off
rem azrdpfix launcher (Windows). Finds the jar next to an install (lib\) or in a source checkout (target\).
setlocal
set "JAR=%~dp0..\lib\azrdpfix.jar"
if not exist "%JAR%" set "JAR=%~dp0..\target\azrdpfix.jar"
if not exist "%JAR%" (
  echo azrdpfix: the jar is missing: build it with "mvn -B -q package -DskipTests". 1>&2
  exit /b 1
)
set "JAVA_CMD=java"
if defined JAVA_HOME set "JAVA_CMD=%JAVA_HOME%\bin\java"
if not defined AZRDPFIX_JAVA_OPTS set "AZRDPFIX_JAVA_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
"%JAVA_CMD%" %AZRDPFIX_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
