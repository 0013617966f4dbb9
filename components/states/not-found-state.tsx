import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { AppLink as Link } from "@/components/shell/app-link.tsx";

export function NotFoundState({
  title,
  message,
  backHref,
  backText,
}: {
  title: string;
  message: string;
  backHref: string;
  backText: string;
}) {
  return (
    <ContentLayout header={<Header variant="h1">{title}</Header>}>
      <Container>
        <SpaceBetween size="s">
          <Box variant="p">{message}</Box>
          <Link href={backHref}>{backText}</Link>
        </SpaceBetween>
      </Container>
    </ContentLayout>
  );
}
