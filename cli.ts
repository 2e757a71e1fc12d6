#!/usr/bin/env node
import { program, runCli } from './src/cli.js';
import { mcpCommand } from './mcp/command.js';

// the command line: the core's administration commands (src/cli.ts) and the MCP face's stdio server
runCli(program.addCommand(mcpCommand()));
