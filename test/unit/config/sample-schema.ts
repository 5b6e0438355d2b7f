import { z } from 'zod';

/** A small workspace-like schema exercising every shape the loader has to explain. */
export const windowSchema = z
  .object({
    kind: z.enum(['tumbling', 'hopping', 'session']).describe('How events are grouped into windows.'),
    size: z.number().int().min(1).max(3600).describe('Window length in seconds.'),
    slide: z.number().int().min(1).optional().describe('Step between hopping windows, in seconds.'),
  })
  .strict()
  .describe('Time window of a stream.');

export const streamSchema = z
  .object({
    name: z.string().min(1).describe('Stream name, unique in the workspace.'),
    window: windowSchema,
    tags: z.array(z.string()).default([]).describe('Free-form labels.'),
  })
  .strict();

export const sinkSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('kafka'),
        topic: z.string().describe('Topic to publish to.'),
        brokers: z.array(z.string()).min(1).describe('Bootstrap brokers, host:port.'),
      })
      .strict(),
    z
      .object({
        type: z.literal('file'),
        path: z.string().describe('Directory the files are written to.'),
      })
      .strict(),
  ])
  .describe('Where results are written.');

export const sampleSchema = z
  .object({
    name: z.string().describe('Workspace name.'),
    database_url: z.string().url().optional().describe('Connection string of the metadata database.'),
    lake: z
      .object({
        path: z.string().default('./lake').describe('Directory of the lake.'),
        retention: z
          .object({
            days: z.number().int().min(1).max(3650).default(30).describe('Days of data to keep.'),
          })
          .strict()
          .default({ days: 30 })
          .describe('How long data is kept.'),
      })
      .strict()
      .default({ path: './lake', retention: { days: 30 } })
      .describe('Storage of ingested events.'),
    streams: z.array(streamSchema).min(1).describe('Event streams to ingest.'),
    sink: sinkSchema.optional(),
    timeout: z.union([z.number().positive(), z.string().regex(/^\d+(ms|s|m)$/)]).optional().describe('Query timeout: seconds, or a duration like 5s.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    config.streams.forEach((stream, index) => {
      if (stream.window.kind === 'hopping' && stream.window.slide === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams', index, 'window'],
          message: 'a hopping window needs a slide; add window.slide',
        });
      }
    });
  });
