import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const ask = (text: string): GetPromptResult => ({ messages: [{ role: 'user', content: { type: 'text', text } }] });

/** Questions people ask often, as prompts that say which tools answer them. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'summarize_study_measure',
    {
      title: "Summarize a study's measure",
      description: "e.g. summarize this study's blood pressure last week",
      argsSchema: {
        studyId: z.string().describe('the study, e.g. 30001'),
        code: z.string().describe('the measure, e.g. omh:blood-pressure:4.0'),
        period: z.string().optional().describe('e.g. "last week" (default), "November 2026"'),
      },
    },
    ({ studyId, code, period }) =>
      ask(
        `Summarize the ${code} observations of study ${studyId} over ${period ?? 'the last 7 days'}. ` +
          `First call get_study to see what the study requests and how many patients consented to ${code}. ` +
          `Then call summarize_observations with studyId ${studyId}, code ${code}, the period as from/before (UTC) and bucket "day". ` +
          'Report per day: the number of readings and the min, max and mean of each quantity with its unit, then trends and days without data. ' +
          'Say that only consented data is included. Do not list individual patients unless asked.',
      ),
  );
  server.registerPrompt(
    'patient_overview',
    {
      title: "A patient's data at a glance",
      description: 'what a patient shares, since when, and recent values',
      argsSchema: { patientId: z.string().describe('the patient, e.g. 40001') },
    },
    ({ patientId }) =>
      ask(
        `Give an overview of patient ${patientId}: call get_patient, get_patient_consents and get_patient_date_range, ` +
          `then summarize_observations with patientId ${patientId} and bucket "week" for each shared code. ` +
          'Say which studies the patient is in, what they share and decline, the date range of their data, and weekly trends.',
      ),
  );
}
