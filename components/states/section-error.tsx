"use client";

import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";

/**
 * What a section shows when rendering it failed. The server's message is not shown (it may hold internals);
 * the digest lets an operator find the full error in the server log.
 */
export function SectionError({
  title,
  error,
  reset,
}: {
  title: string;
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <ContentLayout header={<Header variant="h1">{title}</Header>}>
      <Alert
        type="error"
        header={`Could not load ${title.toLowerCase()}`}
        action={<Button onClick={reset}>Try again</Button>}
      >
        Something went wrong on the server while reading the fleet data.
        {error.digest ? ` Reference for the server log: ${error.digest}.` : ""}
      </Alert>
    </ContentLayout>
  );
}
